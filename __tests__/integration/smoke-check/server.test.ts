// smoke-check from: server, over real sshd to this machine, against services
// bound to 127.0.0.1 as on a server whose ports are not published. One more
// sshd gives its sessions a PATH with GNU wget and no curl, as on a Debian
// server installed without curl; it shares this machine's process list.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { SecretMasker, processStepOutput } from '../../../testbed/secret-masker.js'
import { startSshHosts, SshHosts } from '../../../testbed/ssh-hosts.js'
import { SshServer, startSshd } from '../../../testbed/sshd.js'
import { visibleLog } from '../../helpers/capture-output.js'
import {
  ActionFiles,
  json,
  leftoversHolding,
  startHttpServer,
  startSilentServer,
  GuardedApp,
  startGuardedApp,
  TestServer,
  tmpEntries,
  watchProcesses
} from './harness.js'

let hosts: SshHosts
let wgetHost: SshServer
let wgetBin: string
let files: ActionFiles
let app: TestServer
let guarded: GuardedApp
let silent: TestServer
let healthyAt = Infinity

beforeAll(async () => {
  ensurePrerequisites()
  hosts = await startSshHosts(2)
  wgetBin = mkdtempSync(join(tmpdir(), 'deploykit-wget-only-'))
  mkdirSync(join(wgetBin, 'bin'))
  for (const command of [
    '/bin/sh',
    '/bin/bash',
    '/usr/bin/wget',
    '/usr/bin/timeout',
    '/usr/bin/mktemp',
    '/bin/rm'
  ])
    symlinkSync(command, join(wgetBin, 'bin', command.split('/').pop()!))
  wgetHost = await startSshd({
    address: '127.0.0.4',
    authorizedKeys: [hosts.key.publicKey],
    extraConfig: [`SetEnv PATH=${join(wgetBin, 'bin')}`]
  })
  files = new ActionFiles()
  guarded = await startGuardedApp()
  app = await startHttpServer((req, res) => {
    if (req.url === '/health') {
      if (Date.now() < healthyAt) return json(res, 503, { status: 'starting' })
      return json(res, 200, { status: 'ok' })
    }
    if (req.url === '/ready')
      return json(res, 503, { status: 'degraded', components: { database: 'down' } })
    if (req.url === '/private') {
      if (req.headers.authorization !== 'Bearer server-side-token-0042') return json(res, 401, {})
      return json(res, 200, { status: 'ok' })
    }
    json(res, 404, {})
  })
  silent = await startSilentServer()
})

afterAll(async () => {
  await app?.close()
  await guarded?.close()
  await silent?.close()
  await hosts?.stop()
  await wgetHost?.stop()
  if (wgetBin) rmSync(wgetBin, { recursive: true, force: true })
  files?.remove()
})

/** The host whose HTTP client is curl (this machine's PATH) or GNU wget (a PATH without curl). */
function onHost(client: 'curl' | 'wget', extra: Record<string, string>): Record<string, string> {
  if (client === 'curl') return fromServer(extra)
  return fromServer({
    host: `root@${wgetHost.address}:${wgetHost.port}`,
    'known-hosts': wgetHost.knownHostsLine,
    ...extra
  })
}

function fromServer(extra: Record<string, string>, count = 1): Record<string, string> {
  return {
    from: 'server',
    host: hosts.hostInput(count),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'connect-retries': '0',
    ...extra
  }
}

describe('from: server', () => {
  it('reaches a port bound to 127.0.0.1 with the server’s own curl, on every host', async () => {
    healthyAt = Date.now() + 1500
    const before = app.requests.length
    const r = await files.run(
      fromServer({ urls: `${app.origin}/health`, 'retry-delay': '0.25', 'wait-timeout': '30' }, 2)
    )
    expect(r.failed).toBe(false)
    expect(r.outputs.passed).toBe('true')
    expect(r.results.map(x => x.from)).toEqual(
      hosts.servers.map(s => `server root@${s.address}:${s.port}`)
    )
    expect(r.results.every(x => x.passed && x.client === 'curl' && x.status === 200)).toBe(true)
    expect(Math.max(...r.results.map(x => x.attempts))).toBeGreaterThan(1)
    const agents = app.requests.slice(before).map(q => q.headers['user-agent'])
    expect(agents.every(a => a?.startsWith('curl/'))).toBe(true)
    process.stdout.write(
      `smoke-check from server: service healthy → check passed after ${Date.now() - healthyAt} ms\n`
    )
  })

  it('fails a /ready whose components.database is down, with the path and the value', async () => {
    const r = await files.run(
      fromServer({
        urls: `${app.origin}/ready components.database=ok`,
        'max-attempts': '2',
        'retry-delay': '0.1'
      })
    )
    expect(r.failed).toBe(true)
    expect(r.results[0]).toMatchObject({ passed: false, status: 503, attempts: 2 })
    expect(r.results[0].reason).toContain('components.database: expected "ok", got "down"')
    expect(r.output).toMatch(/::error title=.*components\.database: expected "ok", got "down"/)
  })

  it('gives up on a URL that never answers at wait-timeout', async () => {
    const r = await files.run(
      fromServer({ urls: `${silent.origin}/health`, timeout: '30', 'wait-timeout': '3' })
    )
    expect(r.failed).toBe(true)
    expect(r.results[0].reason).toMatch(/no complete response before the timeout/)
    // The SSH connection and the remote command's start come on top of wait-timeout.
    expect(r.elapsedMs).toBeLessThan(3000 + 5000)
  })

  it('sends headers and URL credentials without showing them in the log', async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}`
    const r = await files.run(
      fromServer({
        urls: `http://deploy:${password}@127.0.0.1:${app.port}/private`,
        headers: 'Authorization: Bearer server-side-token-0042'
      })
    )
    expect(r.results[0]).toMatchObject({ passed: true, status: 200 })
    for (const secret of [password, 'server-side-token-0042']) {
      expect(r.output).toContain(`::add-mask::`)
      expect(visibleLog(r.output)).not.toContain(secret)
      expect(r.summary).not.toContain(secret)
      expect(JSON.stringify(r.outputs)).not.toContain(secret)
    }
  })

  it('reports every URL of a host it cannot reach as not checked', async () => {
    const known = hosts.servers[0].knownHostsLine.split(' ').slice(1).join(' ')
    const r = await files.run(
      fromServer({
        urls: `${app.origin}/health\n${app.origin}/ready`,
        host: 'root@127.0.0.7:1',
        'known-hosts': `[127.0.0.7]:1 ${known}`
      })
    )
    expect(r.failed).toBe(true)
    expect(r.results).toHaveLength(2)
    expect(r.results.every(x => !x.passed && x.attempts === 0)).toBe(true)
    expect(r.results[0].reason).toMatch(/^not checked: .*ECONNREFUSED/)
  })
})

describe.each<['curl' | 'wget']>([['curl'], ['wget']])('secrets with %s on the server', client => {
  it('keeps headers, the URL password and query values out of every process’s argv and every file', async () => {
    const { token, password } = guarded.newSecrets()
    const query = `q-${Math.random().toString(36).slice(2)}`
    const secrets = [token, password, query]
    const before = tmpEntries()
    const watch = await watchProcesses(secrets)
    const r = await files.run(
      onHost(client, {
        urls: `http://deploy:${password}@127.0.0.1:${guarded.app.port}/slow-guarded?token=${query}`,
        headers: `X-Token: ${token}`,
        'max-attempts': '1'
      })
    )
    const seen = await watch.stop()
    process.stdout.write(
      `smoke-check ${client} on the server: argv read ${seen.procSamples} times from /proc and ${seen.psSamples} times by ps while the probe ran\n`
    )
    expect(r.results[0]).toMatchObject({ passed: true, status: 200, client })
    // The watcher saw the probe and the client itself while they ran.
    expect(seen.seen).toEqual(expect.arrayContaining(['probe', client]))
    expect(seen.hits).toEqual([])
    expect(leftoversHolding(before, secrets)).toEqual([])
    for (const dir of seen.probeDirs) {
      expect(dir.mode).toBe(0o700)
      for (const file of Object.values(dir.files)) expect(file.mode).toBe(0o600)
    }
    // GNU wget reads its headers from a private file; curl from its stdin.
    const held = seen.probeDirs.some(d => Object.values(d.files).some(f => f.holdsSecret))
    expect(held).toBe(client === 'wget')

    const shownUrl = `http://deploy:***@127.0.0.1:${guarded.app.port}/slow-guarded?token=***`
    const log = processStepOutput(r.output, new SecretMasker())
    expect(log).toContain(`GET ${shownUrl} (server root@`)
    expect(r.results[0].url).toBe(shownUrl)
    for (const secret of secrets) {
      expect(visibleLog(r.output)).not.toContain(secret)
      expect(r.summary).not.toContain(secret)
      expect(JSON.stringify(r.outputs)).not.toContain(secret)
    }
  })

  it('sends no headers or credentials to another origin a redirect leads to, and says so', async () => {
    const { token, password } = guarded.newSecrets()
    const base = `http://deploy:${password}@127.0.0.1:${guarded.app.port}`
    const seenBefore = guarded.other.requests.length
    const sameOrigin = await files.run(
      onHost(client, {
        urls: `${base}/to-guarded`,
        headers: `X-Token: ${token}`,
        'max-attempts': '1'
      })
    )
    // Within one origin they still go along.
    expect(sameOrigin.results[0]).toMatchObject({ passed: true, status: 200, client })
    expect(sameOrigin.results[0].notice).toBeUndefined()
    const r = await files.run(
      onHost(client, {
        urls: `${base}/away`,
        headers: `X-Token: ${token}`,
        'expect-body': 'elsewhere',
        'max-attempts': '1'
      })
    )
    expect(r.results[0]).toMatchObject({ passed: true, status: 200, client })
    const landed = guarded.other.requests.slice(seenBefore)
    expect(landed.map(q => q.url)).toEqual(['/landing'])
    expect(landed[0].headers['x-token']).toBeUndefined()
    expect(landed[0].headers.authorization).toBeUndefined()
    const note = `headers and credentials were not sent to ${guarded.other.origin}`
    expect(r.results[0].notice).toContain(note)
    expect(r.output).toContain(note)
    expect(r.summary).toContain(note)
  })
})
