import { describe, expect, it } from '@jest/globals'
import { ComposeProject } from '../../../src/commands/compose.js'
import { HostContext } from '../../../src/core/fleet.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { RemoteCommand } from '../../../src/core/remote-command.js'
import { ExecResult, Transport } from '../../../src/core/ssh-session.js'
import type { ContainerState } from '../../../src/ssh-deploy/containers.js'
import { planRolling, rollingProblems } from '../../../src/ssh-deploy/rolling.js'
import { DeploySettings, readDeploySettings, runContext } from '../../../src/ssh-deploy/settings.js'
import { updateServices } from '../../../src/ssh-deploy/update-services.js'

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
const base = {
  host: 'deploy@web1',
  key: KEY,
  'insecure-skip-host-key-check': 'true',
  'app-dir': '/srv/app',
  strategy: 'rolling'
}
const read = (extra: Record<string, string> = {}) =>
  readDeploySettings(mapInputs({ ...base, ...extra }), runContext({ GITHUB_SHA: 'f'.repeat(40) }))

function container(extra: Partial<ContainerState> = {}): ContainerState {
  return {
    id: 'a'.repeat(64),
    name: 'app_backend_1',
    service: 'backend',
    image: 'app-backend',
    imageId: 'sha256:1',
    status: 'running',
    health: 'healthy',
    exitCode: 0,
    restartCount: 0,
    startedAt: '2026-01-01T10:00:00Z',
    steadyForMs: 0,
    hostPorts: [],
    hostNetwork: false,
    ...extra
  }
}

describe('rolling settings', () => {
  it('reads the proxy, its reload command and the grace period', () => {
    const s = read({ services: 'backend\nworker', 'proxy-service': 'nginx' })
    expect(s.strategy).toBe('rolling')
    expect(s.services).toEqual(['backend', 'worker'])
    expect(s.rolling).toEqual({
      proxyService: 'nginx',
      proxyReloadCommand: 'nginx -s reload',
      stopGracePeriodMs: 10000
    })
    expect(
      read({ services: 'api', 'proxy-reload-command': 'caddy reload', 'stop-grace-period': '30s' })
        .rolling
    ).toEqual({ proxyService: '', proxyReloadCommand: 'caddy reload', stopGracePeriodMs: 30000 })
  })

  it.each([
    [{}, /^Input 'services': is empty, and strategy: rolling replaces the services it names/],
    [
      { services: 'backend, nginx', 'proxy-service': 'nginx' },
      /^Input 'proxy-service': nginx is also in services; the proxy is reloaded, not replaced/
    ],
    [{ services: 'backend', 'proxy-service': 'a b' }, /^Input 'proxy-service': "a b" is not/],
    [{ services: 'backend', 'stop-grace-period': 'soon' }, /^Input 'stop-grace-period'/]
  ])('rejects %j before anything runs', (extra, message) => {
    expect(() => read(extra)).toThrow(message)
  })

  it('leaves recreate as the default, where services may be empty', () => {
    expect(read({ strategy: '' }).strategy).toBe('recreate')
  })
})

describe('what cannot roll', () => {
  it('accepts one numbered container on a Compose network (v1 and v2 names)', () => {
    expect(rollingProblems('app', 'backend', [container()])).toEqual([])
    expect(rollingProblems('app', 'backend', [container({ name: 'app-backend-3' })])).toEqual([])
    expect(rollingProblems('app', 'backend', [])).toEqual([])
  })

  it('refuses host ports, host networking, fixed names and several replicas, saying what to do', () => {
    expect(
      rollingProblems('app', 'backend', [container({ hostPorts: ['0.0.0.0:80->8080/tcp'] })])
    ).toEqual([
      'backend publishes host port 0.0.0.0:80->8080/tcp, which two containers cannot bind at once: ' +
        'use strategy: recreate for it, or remove its host port and put a proxy in front (proxy-service)'
    ])
    expect(rollingProblems('app', 'backend', [container({ hostNetwork: true })])[0]).toMatch(
      /network_mode: host.*strategy: recreate/
    )
    expect(rollingProblems('app', 'backend', [container({ name: 'my-backend' })])[0]).toMatch(
      /fixed container_name \(my-backend\)/
    )
    expect(
      rollingProblems('app', 'backend', [container(), container({ name: 'app_backend_2' })])[0]
    ).toMatch(/backend runs 2 containers; rolling replaces one container per service/)
  })
})

// The order of a rolling deploy against a simulated Docker engine: which
// container runs when, what the proxy is told, and what is left after a failure.
interface Box {
  id: string
  service: string
  number: number
  status: 'running' | 'exited'
  health: string
  ports: string
  inspected: number
}

/** Just enough of Docker and Compose v1 for rolling: labels, scale, health over time, stop and rm. */
class FakeDocker implements Transport {
  readonly label = 'web1'
  readonly events: string[] = []
  boxes: Box[] = []
  private serial = 0
  /** Health that new containers reach on their second inspect. */
  nextHealth: Record<string, string> = {}
  /** Services whose scale-up creates the container and then fails to start it. */
  failStart = new Set<string>()

  add(service: string, extra: Partial<Box> = {}): Box {
    const number = Math.max(0, ...this.of(service).map(b => b.number)) + 1
    const box: Box = {
      id: `${service}-${number}-${++this.serial}`.padEnd(64, '0'),
      service,
      number,
      status: 'running',
      health: 'healthy',
      ports: '',
      inspected: 0,
      ...extra
    }
    this.boxes.push(box)
    return box
  }

  of(service: string): Box[] {
    return this.boxes.filter(b => b.service === service)
  }

  async exec(cmd: RemoteCommand): Promise<ExecResult> {
    const ok = (stdout = ''): ExecResult => ({
      code: 0,
      signal: null,
      stdout,
      stderr: '',
      timedOut: false
    })
    const [bin, verb, ...rest] = cmd.argv
    if (bin === 'docker' && verb === 'ps') {
      const service = rest
        .find(a => a.startsWith('label=com.docker.compose.service='))
        ?.split('=')[2]
      const all = rest.includes('--all')
      return ok(
        this.of(service ?? '')
          .filter(b => all || b.status === 'running')
          .map(b => b.id + '\n')
          .join('')
      )
    }
    if (bin === 'sh' && rest[0]?.endsWith('exec docker inspect -- "$@"')) {
      const found = this.boxes.filter(b => rest.includes(b.id))
      return ok(JSON.stringify(found.map(b => this.inspect(b))))
    }
    if (bin === 'docker' && verb === 'stop') {
      const box = this.boxes.find(b => b.id === rest[2])
      if (box) box.status = 'exited'
      this.events.push(`stop -t ${rest[1]} ${rest[2].slice(0, 9)}`)
      return ok()
    }
    if (bin === 'docker' && verb === 'rm') {
      this.boxes = this.boxes.filter(b => b.id !== rest[1])
      this.events.push(`rm ${rest[1].slice(0, 9)}`)
      return ok()
    }
    if (bin === 'docker' && verb === 'logs') return ok('log line\n')
    if (bin === 'docker-compose') {
      const out = this.compose(cmd.argv.slice(5))
      if (out === 'failed') return { ...ok(), code: 1, stderr: 'port is already allocated' }
      return ok(out)
    }
    throw new Error(`unexpected command ${cmd.argv.join(' ')}`)
  }

  private compose(args: string[]): string {
    const [sub] = args
    if (sub === 'up' && args.includes('--scale')) {
      const [service, n] = args[args.indexOf('--scale') + 1].split('=')
      this.events.push(`scale ${service}=${n}`)
      if (this.failStart.has(service)) {
        this.add(service, { status: 'exited', health: '' })
        return 'failed'
      }
      while (this.of(service).length < Number(n)) this.add(service, { health: 'starting' })
      // Compose v1 keeps the lowest numbers when it scales down.
      const extra = this.of(service)
        .sort((a, b) => a.number - b.number)
        .slice(Number(n))
      this.boxes = this.boxes.filter(b => !extra.includes(b))
      return ''
    }
    if (sub === 'up') {
      const service = args[args.length - 1]
      this.events.push(`up ${service}`)
      if (!this.of(service).some(b => b.status === 'running'))
        this.add(service, { health: 'starting' })
      return ''
    }
    if (sub === 'exec') {
      this.events.push(`reload ${args[2]}: ${args[5]}`)
      return ''
    }
    this.events.push(args.join(' '))
    return ''
  }

  private inspect(b: Box): object {
    b.inspected++
    if (b.health === 'starting' && b.inspected >= 2)
      b.health = this.nextHealth[b.service] ?? 'healthy'
    return {
      Id: b.id,
      Name: `/app_${b.service}_${b.number}`,
      State: { Status: b.status, ExitCode: 0, Health: b.health ? { Status: b.health } : undefined },
      HostConfig: {
        PortBindings: b.ports ? { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: b.ports }] } : {}
      }
    }
  }

  async upload(): Promise<void> {}
  async close(): Promise<void> {}
}

const project: ComposeProject = {
  binary: ['docker-compose'],
  dir: '/srv/app',
  files: ['docker-compose.yml'],
  projectName: 'app'
}

function settings(extra: Record<string, string> = {}) {
  return readDeploySettings(
    mapInputs({
      host: 'deploy@web1',
      key: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
      fingerprint: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
      'app-dir': '/srv/app',
      strategy: 'rolling',
      services: 'backend, worker',
      'proxy-service': 'nginx',
      'stop-grace-period': '20',
      'wait-timeout': '1',
      build: 'true',
      ...extra
    }),
    runContext({ GITHUB_SHA: 'f'.repeat(40) })
  )
}

function fleet(): { docker: FakeDocker; host: HostContext } {
  const docker = new FakeDocker()
  docker.add('backend')
  docker.add('worker')
  docker.add('nginx', { health: '' })
  return { docker, host: new HostContext(docker, '') }
}

/** As deployHost does it: the plan before anything changes, then images and the services. */
async function roll(host: HostContext, s: DeploySettings, imagesRestored: boolean): Promise<void> {
  const plan = await planRolling(host, project.projectName, s)
  await updateServices(host, project, s, imagesRestored, { rollingPlan: plan })
}

const live = (docker: FakeDocker, service: string) =>
  docker.of(service).map(b => `${b.service}#${b.number} ${b.status}`)

describe('strategy: rolling', () => {
  it('builds first, then per service: new beside old, healthy, reload, stop old, reload, scale to one', async () => {
    const { docker, host } = fleet()
    await roll(host, settings(), false)
    expect(docker.events).toEqual([
      'build backend worker',
      'scale backend=2',
      'reload nginx: nginx -s reload',
      'stop -t 20 backend-1',
      'rm backend-1',
      'reload nginx: nginx -s reload',
      'scale backend=1',
      'scale worker=2',
      'reload nginx: nginx -s reload',
      'stop -t 20 worker-1-',
      'rm worker-1-',
      'reload nginx: nginx -s reload',
      'scale worker=1'
    ])
    expect(live(docker, 'backend')).toEqual(['backend#2 running'])
    expect(live(docker, 'worker')).toEqual(['worker#2 running'])
    expect(live(docker, 'nginx')).toEqual(['nginx#1 running'])
  })

  it('removes a new container that never gets healthy and keeps the old one serving', async () => {
    const { docker, host } = fleet()
    docker.nextHealth.backend = 'unhealthy'
    await expect(roll(host, settings(), false)).rejects.toThrow(
      /^rolling backend: the new backend container was not healthy after 1s \(wait-timeout\): running \(unhealthy\); it was removed and the old container backend-1-10 keeps serving$/
    )
    expect(docker.events).toEqual([
      'build backend worker',
      'scale backend=2',
      'stop -t 20 backend-2',
      'rm backend-2'
    ])
    expect(live(docker, 'backend')).toEqual(['backend#1 running'])
    expect(live(docker, 'worker')).toEqual(['worker#1 running'])
  })

  it('removes what a failed scale-up left behind', async () => {
    const { docker, host } = fleet()
    docker.failStart.add('backend')
    await expect(roll(host, settings(), false)).rejects.toThrow(
      /^rolling backend: web1: .*exited with code 1: port is already allocated; it was removed and the old container backend-1-10 keeps serving$/
    )
    expect(docker.events.slice(-2)).toEqual(['stop -t 20 backend-2', 'rm backend-2'])
    expect(live(docker, 'backend')).toEqual(['backend#1 running'])
  })

  it('names the services already replaced when a later one fails', async () => {
    const { docker, host } = fleet()
    docker.nextHealth.worker = 'unhealthy'
    await expect(roll(host, settings(), false)).rejects.toThrow(
      /^rolling worker: .* keeps serving \(already replaced: backend\)$/
    )
    expect(live(docker, 'backend')).toEqual(['backend#2 running'])
    expect(live(docker, 'worker')).toEqual(['worker#1 running'])
  })

  it('refuses a service with a host port before building or starting anything', async () => {
    const { docker, host } = fleet()
    docker.of('worker')[0].ports = '8080'
    await expect(roll(host, settings(), false)).rejects.toThrow(
      /^strategy: rolling cannot update this app: worker publishes host port 127\.0\.0\.1:8080->8080\/tcp, .*use strategy: recreate for it, or remove its host port and put a proxy in front/
    )
    expect(docker.events).toEqual([])
  })

  it('refuses when the proxy to switch does not run', async () => {
    const { docker, host } = fleet()
    docker.boxes = docker.boxes.filter(b => b.service !== 'nginx')
    await expect(roll(host, settings(), false)).rejects.toThrow(
      /proxy-service nginx has no running container in project app/
    )
    expect(docker.events).toEqual([])
  })

  it('starts a service that has no running container, clearing stopped ones, and skips the build of restored images', async () => {
    const { docker, host } = fleet()
    docker.of('worker')[0].status = 'exited'
    await roll(host, settings({ services: 'worker' }), true)
    expect(docker.events).toEqual(['rm worker-1-', 'up worker', 'reload nginx: nginx -s reload'])
    expect(live(docker, 'worker')).toEqual(['worker#1 running'])
  })
})
