// smoke-check from: container:<service>, over real sshd, inside a real
// Compose v2 project: a busybox service that has only busybox wget, a Debian
// service with no HTTP client at all, and two Debian services on the host's
// network (so they reach the test servers on 127.0.0.1) with curl, or with
// this machine's GNU wget mounted in and no curl.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { ensureBaseImages } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { run, runChecked, waitFor } from '../../../testbed/run.js'
import { startSshHosts, SshHosts } from '../../../testbed/ssh-hosts.js'
import {
  ActionFiles,
  GuardedApp,
  leftoversHolding,
  startGuardedApp,
  tmpEntries,
  watchProcesses
} from './harness.js'

const READY = JSON.stringify({ status: 'ok', components: { database: 'down', redis: 'ok' } })

let dockerPid: number | undefined
let hosts: SshHosts
let files: ActionFiles
let appDir: string
let guarded: GuardedApp
const project = `dksmoke${Math.random().toString(36).slice(2, 8)}`

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  const images = await ensureBaseImages()
  hosts = await startSshHosts(1)
  files = new ActionFiles()
  appDir = mkdtempSync(join(tmpdir(), 'deploykit-smoke-app-'))
  // JSON is YAML, and saves quoting a shell command inside YAML.
  const compose = {
    version: '2.4',
    services: {
      api: {
        image: images.busybox,
        environment: { READY_JSON: READY },
        command: [
          'sh',
          '-c',
          'mkdir -p /www && printf ok > /www/health && printf %s "$$READY_JSON" > /www/ready && exec httpd -f -p 8080 -h /www'
        ]
      },
      bare: {
        image: images.debian,
        command: ['sh', '-c', 'rm -f /usr/bin/curl /usr/bin/wget && exec sleep 3600']
      },
      tools: {
        image: images.debian,
        network_mode: 'host',
        command: ['sleep', '3600']
      },
      wgettools: {
        image: images.debian,
        network_mode: 'host',
        volumes: ['/usr/bin/wget:/usr/bin/wget:ro'],
        command: ['sh', '-c', 'rm -f /usr/bin/curl && exec sleep 3600']
      }
    }
  }
  writeFileSync(join(appDir, 'docker-compose.yml'), JSON.stringify(compose, null, 2))
  await runChecked('docker', ['compose', '--project-name', project, 'up', '-d'], { cwd: appDir })
  const bare = (
    await runChecked('docker', ['compose', '--project-name', project, 'ps', '-q', 'bare'], {
      cwd: appDir
    })
  ).stdout.trim()
  await waitFor(
    async () =>
      (await run('docker', ['exec', bare, 'test', '!', '-e', '/usr/bin/curl'])).code === 0,
    30_000,
    'curl to be gone from the bare service'
  )
  await waitFor(
    async () =>
      (
        await run('docker', [
          'exec',
          await containerOf('wgettools'),
          'test',
          '!',
          '-e',
          '/usr/bin/curl'
        ])
      ).code === 0,
    30_000,
    'curl to be gone from the wgettools service'
  )
  guarded = await startGuardedApp()
}, 30 * 60_000)

async function containerOf(service: string): Promise<string> {
  const ps = await runChecked(
    'docker',
    ['compose', '--project-name', project, 'ps', '-q', service],
    {
      cwd: appDir
    }
  )
  return ps.stdout.trim()
}

/** The container's /tmp as this machine sees it: where the probe inside it writes. */
async function containerTmp(service: string): Promise<string> {
  const pid = (
    await runChecked('docker', [
      'inspect',
      '--format',
      '{{.State.Pid}}',
      await containerOf(service)
    ])
  ).stdout.trim()
  return `/proc/${pid}/root/tmp`
}

afterAll(async () => {
  const label = `label=com.docker.compose.project=${project}`
  const containers = (await run('docker', ['ps', '-aq', '--filter', label])).stdout.split(/\s+/)
  if (containers.some(Boolean)) {
    await run('docker', ['rm', '--force', ...containers.filter(Boolean)])
  }
  const networks = (await run('docker', ['network', 'ls', '-q', '--filter', label])).stdout
  for (const id of networks.split(/\s+/).filter(Boolean)) await run('docker', ['network', 'rm', id])
  await guarded?.close()
  await hosts?.stop()
  files?.remove()
  if (appDir) rmSync(appDir, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

function inContainer(service: string, extra: Record<string, string>): Record<string, string> {
  return {
    from: `container:${service}`,
    host: hosts.hostInput(1),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'connect-retries': '0',
    'app-dir': appDir,
    'project-name': project,
    ...extra
  }
}

describe('from: container', () => {
  it('checks a service port from inside the service with busybox wget', async () => {
    const r = await files.run(
      inContainer('api', {
        urls: 'http://localhost:8080/health\nhttp://127.0.0.1:8080/ready status=ok',
        'expect-status': '200',
        'retry-delay': '0.5',
        'wait-timeout': '60'
      })
    )
    expect(r.failed).toBe(false)
    expect(r.results).toEqual([
      expect.objectContaining({ passed: true, status: 200, client: 'busybox-wget' }),
      expect.objectContaining({ passed: true, status: 200, client: 'busybox-wget' })
    ])
    expect(r.results[0].from).toBe(`container:api root@127.0.0.2:${hosts.servers[0].port}`)
  })

  it('fails components.database=down with the path and the value', async () => {
    const r = await files.run(
      inContainer('api', {
        urls: 'http://localhost:8080/ready',
        'expect-json': 'components.database=ok',
        'max-attempts': '1'
      })
    )
    expect(r.failed).toBe(true)
    expect(r.results[0].reason).toContain('components.database: expected "ok", got "down"')
  })

  it('says clearly, without retrying, that a service has no HTTP client', async () => {
    const r = await files.run(
      inContainer('bare', { urls: 'http://localhost:8080/health', 'max-attempts': '5' })
    )
    expect(r.failed).toBe(true)
    expect(r.results[0]).toMatchObject({ passed: false, attempts: 1 })
    expect(r.results[0].reason).toMatch(
      /no HTTP client: neither curl nor wget is installed there; not retried/
    )
  })

  it('says so when busybox wget cannot send the method', async () => {
    const r = await files.run(
      inContainer('api', { urls: 'HEAD http://localhost:8080/health', 'max-attempts': '3' })
    )
    expect(r.results[0]).toMatchObject({ passed: false, attempts: 1, client: 'busybox-wget' })
    expect(r.results[0].reason).toMatch(/only GET and POST work with busybox wget/)
  })

  it('refuses to give busybox wget headers or URL credentials, naming the input and what to install', async () => {
    const { token, password } = guarded.newSecrets()
    const watch = await watchProcesses([token, password])
    const withHeader = await files.run(
      inContainer('api', {
        urls: 'http://localhost:8080/health',
        headers: `X-Token: ${token}`,
        'max-attempts': '3'
      })
    )
    const withPassword = await files.run(
      inContainer('api', { urls: `http://deploy:${password}@localhost:8080/health` })
    )
    const seen = await watch.stop()
    expect(withHeader.results[0]).toMatchObject({
      passed: false,
      attempts: 1,
      client: 'busybox-wget'
    })
    expect(withHeader.results[0].reason).toMatch(
      /^busybox wget takes headers \(input headers\) only in its command line, which every user of the machine can read, and would send them on to wherever a redirect leads; install curl or GNU wget in service api; not retried/
    )
    expect(withPassword.results[0]).toMatchObject({ passed: false, attempts: 1 })
    expect(withPassword.results[0].reason).toMatch(
      /^busybox wget takes the URL's user name and password \(input urls\) only in its command line/
    )
    expect(seen.hits).toEqual([])
  })

  // With source: git the app's own tree may hold a directory named current; only the
  // symlink an upload deploy makes marks a release, as migrate and collectstatic read it.
  it('finds the project in app-dir when current is a directory of the app, not a release', async () => {
    mkdirSync(join(appDir, 'current'))
    writeFileSync(
      join(appDir, 'current', 'docker-compose.yml'),
      JSON.stringify({ services: { docs: { image: 'docs' } } })
    )
    try {
      const r = await files.run(
        inContainer('api', { urls: 'http://localhost:8080/health', 'max-attempts': '1' })
      )
      expect(r.results[0]).toMatchObject({ passed: true, status: 200 })
    } finally {
      rmSync(join(appDir, 'current'), { recursive: true, force: true })
    }
  })

  it('names a service that is not in the project, and the ones that are', async () => {
    const r = await files.run(
      inContainer('nosuch', { urls: 'http://localhost:8080/health', 'max-attempts': '1' })
    )
    expect(r.failed).toBe(true)
    expect(r.results[0].reason).toMatch(
      new RegExp(
        `not checked: .*service nosuch is not in the Compose project ${project} \\(it has api, bare, tools, wgettools\\)`
      )
    )
  })

  it('says when the service has no running container, and retries', async () => {
    await runChecked('docker', ['compose', '--project-name', project, 'stop', '-t', '0', 'bare'], {
      cwd: appDir
    })
    const r = await files.run(
      inContainer('bare', {
        urls: 'http://localhost:8080/health',
        'max-attempts': '2',
        'retry-delay': '0.1'
      })
    )
    expect(r.results[0]).toMatchObject({ passed: false, attempts: 2 })
    // Compose v2 says so itself; v1 exits 1 silently, and then the check asks.
    expect(r.results[0].reason).toMatch(/service "bare" is not running/)
  })
})

describe.each<['curl' | 'wget', string]>([
  ['curl', 'tools'],
  ['wget', 'wgettools']
])('secrets with %s in a container', (client, service) => {
  it('passes headers, the URL password and query values on stdin through compose exec -T, never in an argv or a file', async () => {
    const { token, password } = guarded.newSecrets()
    const query = `q-${Math.random().toString(36).slice(2)}`
    const secrets = [token, password, query]
    const tmp = await containerTmp(service)
    const before = tmpEntries(tmp)
    const watch = await watchProcesses(secrets, [tmp])
    const r = await files.run(
      inContainer(service, {
        urls: `http://deploy:${password}@127.0.0.1:${guarded.app.port}/slow-guarded?token=${query}`,
        headers: `X-Token: ${token}`,
        'max-attempts': '1'
      })
    )
    const seen = await watch.stop()
    process.stdout.write(
      `smoke-check ${client} in a container: argv read ${seen.procSamples} times from /proc and ${seen.psSamples} times by ps while the probe ran\n`
    )
    expect(r.results[0]).toMatchObject({ passed: true, status: 200, client })
    expect(seen.seen).toEqual(expect.arrayContaining(['probe', client]))
    expect(seen.hits).toEqual([])
    expect(leftoversHolding(before, secrets, tmp)).toEqual([])
    for (const dir of seen.probeDirs) {
      expect(dir.mode).toBe(0o700)
      for (const file of Object.values(dir.files)) expect(file.mode).toBe(0o600)
    }
    expect(seen.probeDirs.length > 0).toBe(client === 'wget')
    expect(r.results[0].url).toBe(
      `http://deploy:***@127.0.0.1:${guarded.app.port}/slow-guarded?token=***`
    )
  })

  it('gets them there through Compose v1’s docker-compose exec -T too', async () => {
    const { token, password } = guarded.newSecrets()
    const r = await files.run(
      inContainer(service, {
        urls: `http://deploy:${password}@127.0.0.1:${guarded.app.port}/guarded`,
        headers: `X-Token: ${token}`,
        'compose-command': 'docker-compose',
        'max-attempts': '1'
      })
    )
    expect(r.results[0]).toMatchObject({ passed: true, status: 200, client })
  })

  it('sends no headers or credentials to another origin a redirect leads to', async () => {
    const { token, password } = guarded.newSecrets()
    const seenBefore = guarded.other.requests.length
    const r = await files.run(
      inContainer(service, {
        urls: `http://deploy:${password}@127.0.0.1:${guarded.app.port}/away`,
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
    expect(r.results[0].notice).toContain(
      `headers and credentials were not sent to ${guarded.other.origin}`
    )
  })
})
