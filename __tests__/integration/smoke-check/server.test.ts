// smoke-check from: server, over real sshd to this machine, against services
// bound to 127.0.0.1 as on a server whose ports are not published.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { startSshHosts, SshHosts } from '../../testbed/ssh-hosts.js'
import { visibleLog } from '../../helpers/capture-output.js'
import { ActionFiles, json, startHttpServer, startSilentServer, TestServer } from './harness.js'

let hosts: SshHosts
let files: ActionFiles
let app: TestServer
let silent: TestServer
let healthyAt = Infinity

beforeAll(async () => {
  ensurePrerequisites()
  hosts = await startSshHosts(2)
  files = new ActionFiles()
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
  await silent?.close()
  await hosts?.stop()
  files?.remove()
})

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
