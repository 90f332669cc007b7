// smoke-check from: container:<service>, over real sshd, inside a real
// Compose v2 project: a busybox service that has only busybox wget,
// and a Debian service with no HTTP client at all.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureDocker, stopDocker } from '../../testbed/docker.js'
import { ensureBaseImages } from '../../testbed/images.js'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { run, runChecked, waitFor } from '../../testbed/run.js'
import { startSshHosts, SshHosts } from '../../testbed/ssh-hosts.js'
import { ActionFiles } from './harness.js'

const READY = JSON.stringify({ status: 'ok', components: { database: 'down', redis: 'ok' } })

let dockerPid: number | undefined
let hosts: SshHosts
let files: ActionFiles
let appDir: string
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
}, 30 * 60_000)

afterAll(async () => {
  const label = `label=com.docker.compose.project=${project}`
  const containers = (await run('docker', ['ps', '-aq', '--filter', label])).stdout.split(/\s+/)
  if (containers.some(Boolean)) {
    await run('docker', ['rm', '--force', ...containers.filter(Boolean)])
  }
  const networks = (await run('docker', ['network', 'ls', '-q', '--filter', label])).stdout
  for (const id of networks.split(/\s+/).filter(Boolean)) await run('docker', ['network', 'rm', id])
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

  it('names a service that is not in the project, and the ones that are', async () => {
    const r = await files.run(
      inContainer('nosuch', { urls: 'http://localhost:8080/health', 'max-attempts': '1' })
    )
    expect(r.failed).toBe(true)
    expect(r.results[0].reason).toMatch(
      new RegExp(
        `not checked: .*service nosuch is not in the Compose project ${project} \\(it has api, bare\\)`
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
