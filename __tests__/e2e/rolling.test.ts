// strategy: rolling with ssh-deploy's bundle under Node 24 on the real
// testbed: nginx (which moves traffic only when reloaded) in front of a
// busybox httpd backend, with load from this process while the backend is replaced.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LoadResult, startLoad } from '../../scripts/bench/load.js'
import { RollingApp, writeRollingApp } from '../../scripts/bench/rolling-app.js'
import { ActionRun, runAction } from '../../testbed/action-runner.js'
import { httpText, removeComposeProject } from '../../testbed/apps.js'
import { ensureDocker, stopDocker } from '../../testbed/docker.js'
import { gitRemote } from '../../testbed/flow.js'
import { ensureBaseImages } from '../../testbed/images.js'
import { freePort } from '../../testbed/ports.js'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { run } from '../../testbed/run.js'
import { startSshHosts, SshHosts } from '../../testbed/ssh-hosts.js'

let hosts: SshHosts
let dockerPid: number | undefined
let servers: string
const projects: string[] = []

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  hosts = await startSshHosts(1)
  servers = mkdtempSync(join(tmpdir(), 'deploykit-rolling-'))
}, 30 * 60_000)

afterAll(async () => {
  for (const p of projects) await removeComposeProject(p)
  await hosts?.stop()
  if (servers) rmSync(servers, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

function newProject(name: string): string {
  const project = `dkroll${name}${process.pid % 1000}${Date.now() % 10000}`
  projects.push(project)
  return project
}

function deploy(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction('ssh-deploy', {
    host: hosts.hostInput(1),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'connect-retries': '0',
    source: 'none',
    build: 'true',
    'wait-timeout': '60',
    ...inputs
  })
}

function expectOk(r: ActionRun): void {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.output}`)
}

function releaseStatuses(appDir: string): string[] {
  const byId = new Map<string, string>()
  for (const line of readFileSync(join(appDir, '.deploy-kit', 'releases.jsonl'), 'utf8')
    .trim()
    .split('\n')) {
    const r = JSON.parse(line) as { id: string; status?: string }
    if (r.status) byId.set(r.id, r.status)
  }
  return [...byId.values()]
}

interface Sample {
  /** Running containers of the service: id → healthy. */
  running: Map<string, boolean>
}

async function backendContainers(project: string): Promise<Sample> {
  const out = await run('docker', [
    'ps',
    '--no-trunc',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    'label=com.docker.compose.service=backend',
    '--format',
    '{{.ID}} {{.Status}}'
  ])
  const running = new Map<string, boolean>()
  for (const line of out.stdout.split('\n').filter(Boolean)) {
    const [id] = line.split(' ')
    running.set(id, line.includes('(healthy)'))
  }
  return { running }
}

/** Samples the backend's containers until stopped (bounded in count). */
function watchContainers(project: string): { stop(): Promise<Sample[]> } {
  const samples: Sample[] = []
  let stopped = false
  const loop = (async () => {
    while (!stopped && samples.length < 5000) {
      samples.push(await backendContainers(project))
      await new Promise(r => setTimeout(r, 100))
    }
  })()
  return {
    async stop() {
      stopped = true
      await loop
      samples.push(await backendContainers(project))
      return samples
    }
  }
}

/** Runs a deploy with load through the proxy and the backend watched the whole time. */
async function deployUnderLoad(
  url: string,
  project: string,
  inputs: Record<string, string>
): Promise<{ r: ActionRun; load: LoadResult; samples: Sample[] }> {
  const load = startLoad(url, { concurrency: 2, maxRequests: 40_000, maxMs: 150_000 })
  const watch = watchContainers(project)
  const r = await deploy(inputs)
  return { r, load: await load.stop(), samples: await watch.stop() }
}

describe('strategy: rolling behind nginx', () => {
  let app: RollingApp
  let project: string
  let url: string
  let inputs: Record<string, string>
  let serving = ''

  beforeAll(async () => {
    project = newProject('web')
    const proxyPort = await freePort()
    url = `http://127.0.0.1:${proxyPort}/version.txt`
    app = writeRollingApp(join(servers, 'web'), { proxyPort, mode: 'upstream' })
    inputs = { 'app-dir': app.dir, 'project-name': project }
    expectOk(await deploy(inputs))
    expect(await httpText(url)).toBe('v1\n')
  }, 5 * 60_000)

  const rolling = () => ({
    ...inputs,
    strategy: 'rolling',
    services: 'backend',
    'proxy-service': 'proxy',
    'stop-grace-period': '5'
  })

  it('replaces the backend with no failed request, stopping the old container only once the new one is healthy', async () => {
    const [old] = (await backendContainers(project)).running.keys()
    app.setVersion('v2')
    const { r, load, samples } = await deployUnderLoad(url, project, rolling())
    expectOk(r)
    expect([load.failed, load.firstFailure]).toEqual([0, ''])
    expect(load.bodies['v1\n']).toBeGreaterThan(0)
    // Counted in the log as shown, not in the debug lines (each command has one there too).
    const shown = r.output
      .split('\n')
      .filter(line => !line.startsWith('::debug::'))
      .join('\n')
    expect(shown.match(/exec -T proxy sh -c 'nginx -s reload'/g)).toHaveLength(2)

    const [now] = [...samples[samples.length - 1].running.keys()]
    expect(samples[samples.length - 1].running).toEqual(new Map([[now, true]]))
    expect(now).not.toBe(old)
    for (const s of samples) {
      // Something healthy serves at every moment, and the old one goes only after the new one is healthy.
      expect([...s.running.values()]).toContain(true)
      if (!s.running.has(old)) expect(s.running.get(now)).toBe(true)
    }
    expect(samples.some(s => s.running.has(old) && s.running.has(now))).toBe(true)
    for (let i = 0; i < 10; i++) expect(await httpText(url)).toBe('v2\n')
    expect(releaseStatuses(app.dir)).toEqual(['succeeded', 'succeeded'])
    serving = now
  })

  it('removes a new version that never gets healthy; the old container serves throughout and the release is failed', async () => {
    app.setVersion('v3', { healthy: false })
    // What rolling itself guarantees, without the fleet's way back (which would roll v2 out again).
    const { r, load, samples } = await deployUnderLoad(url, project, {
      ...rolling(),
      'wait-timeout': '6',
      'fleet-rollback': 'false'
    })
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /rolling backend: the new backend container was not healthy after 6s \(wait-timeout\): running \((unhealthy|starting)\); it was removed and the old container [0-9a-f]{12} keeps serving/
    )
    expect(r.output).toMatch(/--- last 50 log lines of backend /)
    expect([load.failed, load.firstFailure]).toEqual([0, ''])
    // The proxy was never reloaded onto the new container, so nobody saw v3.
    expect(Object.keys(load.bodies)).toEqual(['v2\n'])
    for (const s of samples) expect(s.running.get(serving)).toBe(true)
    expect(samples[samples.length - 1].running).toEqual(new Map([[serving, true]]))
    expect(await httpText(url)).toBe('v2\n')
    expect(releaseStatuses(app.dir)).toEqual(['succeeded', 'succeeded', 'failed'])
  })
})

describe('strategy: rolling refusals', () => {
  it('refuses a service that publishes a host port before anything changes, the clone included', async () => {
    const project = newProject('ports')
    const work = join(servers, 'ports-repo')
    const app = writeRollingApp(work, { proxyPort: 0, backendPort: await freePort(), proxy: false })
    const remote = gitRemote(work, servers, 'main')
    const v1 = await remote.commit('v1')
    const serverDir = join(servers, 'ports')
    const inputs = {
      'app-dir': serverDir,
      'project-name': project,
      source: 'git',
      repository: remote.bare
    }
    expectOk(await deploy({ ...inputs, ref: v1 }))
    const before = await backendContainers(project)
    app.setVersion('v2')
    const v2 = await remote.commit('v2')
    const r = await deploy({ ...inputs, ref: v2, strategy: 'rolling', services: 'backend' })
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /strategy: rolling cannot update this app: backend publishes host port 127\.0\.0\.1:\d+->8080\/tcp, which two containers cannot bind at once: use strategy: recreate for it, or remove its host port and put a proxy in front \(proxy-service\) — nothing was changed/
    )
    expect(r.output).not.toMatch(/ build backend/)
    expect(await backendContainers(project)).toEqual(before)
    expect(
      execFileSync('git', ['-C', serverDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()
    ).toBe(v1)
  })

  it('wants the services to replace', async () => {
    const r = await deploy({ 'app-dir': join(servers, 'none'), strategy: 'rolling' })
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /::error::Input 'services': is empty, and strategy: rolling replaces the services it names/
    )
  })
})
