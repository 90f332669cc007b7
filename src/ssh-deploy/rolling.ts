import * as core from '@actions/core'
import { composeCommand, ComposeProject } from '../core/compose.js'
import { errorMessage } from '../core/errors.js'
import type { HostContext } from '../core/fleet.js'
import { RemoteCommand } from '../core/remote-command.js'
import { inspectCommand } from './containers.js'
import { inTurn } from './in-turn.js'
import type { RollingSettings } from './rolling-settings.js'
import type { DeploySettings } from './settings.js'

/** What rolling needs to know of one container, from `docker inspect`. */
export interface RollContainer {
  id: string
  name: string
  status: string
  /** healthy / unhealthy / starting, or '' without a healthcheck. */
  health: string
  exitCode: number
  /** Host ports it binds, as `127.0.0.1:8080->8080/tcp`; a second container cannot bind them too. */
  hostPorts: string[]
  hostNetwork: boolean
}

interface InspectJson {
  Id: string
  Name: string
  State: { Status: string; ExitCode: number; Health?: { Status: string } }
  HostConfig?: {
    NetworkMode?: string
    PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null
  }
}

export function parseRollInspect(stdout: string): RollContainer[] {
  return (JSON.parse(stdout) as InspectJson[]).map(c => ({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    status: c.State.Status,
    health: c.State.Health?.Status ?? '',
    exitCode: c.State.ExitCode,
    // An empty HostPort (or 0) is an ephemeral port: each container gets its own.
    hostPorts: Object.entries(c.HostConfig?.PortBindings ?? {}).flatMap(([port, bindings]) =>
      (bindings ?? [])
        .filter(b => b.HostPort && b.HostPort !== '0')
        .map(b => `${b.HostIp || '0.0.0.0'}:${b.HostPort}->${port}`)
    ),
    hostNetwork: c.HostConfig?.NetworkMode === 'host'
  }))
}

export const rollingCommands = {
  /** Containers of one service, found by Compose's labels (the same in v1 and v2), without `run` one-offs. */
  containers: (projectName: string, service: string, all: boolean): RemoteCommand => ({
    argv: [
      'docker',
      'ps',
      ...(all ? ['--all'] : []),
      '--quiet',
      '--no-trunc',
      '--filter',
      `label=com.docker.compose.project=${projectName}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
      '--filter',
      'label=com.docker.compose.oneoff=False'
    ]
  }),
  /** `--no-recreate` keeps the running container as it is; only the missing ones are created. */
  scale: (project: ComposeProject, service: string, count: number): RemoteCommand =>
    composeCommand(project, [
      'up',
      '--detach',
      '--no-deps',
      '--no-recreate',
      '--scale',
      `${service}=${count}`,
      service
    ]),
  start: (project: ComposeProject, service: string): RemoteCommand =>
    composeCommand(project, ['up', '--detach', '--no-deps', service]),
  stop: (id: string, graceMs: number): RemoteCommand => ({
    argv: ['docker', 'stop', '-t', String(Math.ceil(graceMs / 1000)), id]
  }),
  remove: (id: string): RemoteCommand => ({ argv: ['docker', 'rm', '--force', id] }),
  reload: (project: ComposeProject, proxy: string, script: string): RemoteCommand =>
    composeCommand(project, ['exec', '-T', proxy, 'sh', '-c', script]),
  logs: (id: string): RemoteCommand => ({ argv: ['docker', 'logs', '--tail', '50', id] })
}

const short = (id: string) => id.slice(0, 12)

function stateText(c: RollContainer): string {
  if (c.status === 'exited' || c.status === 'dead') return `${c.status} with code ${c.exitCode}`
  return c.health ? `${c.status} (${c.health})` : c.status
}

/** Why a service cannot run a second container beside the first one, if it cannot. */
export function rollingProblems(
  projectName: string,
  service: string,
  running: readonly RollContainer[]
): string[] {
  const problems: string[] = []
  if (running.length > 1) {
    problems.push(
      `${service} runs ${running.length} containers; rolling replaces one container per service ` +
        '(scale it to one, or deploy it with strategy: recreate)'
    )
  }
  for (const c of running) {
    if (c.hostPorts.length > 0) {
      problems.push(
        `${service} publishes host port ${c.hostPorts.join(', ')}, which two containers cannot bind at once: ` +
          'use strategy: recreate for it, or remove its host port and put a proxy in front (proxy-service)'
      )
    } else if (c.hostNetwork) {
      problems.push(
        `${service} uses network_mode: host, where two containers would listen on the same ports: ` +
          'use strategy: recreate for it, or put it on a Compose network behind a proxy (proxy-service)'
      )
    }
    // Compose names containers <project>_<service>_<n> (v1) or <project>-<service>-<n> (v2).
    const numbered = new RegExp(`^${escape(projectName)}[_-]${escape(service)}[_-]\\d+`)
    if (!numbered.test(c.name)) {
      problems.push(
        `${service} has a fixed container_name (${c.name}), and Docker allows one container per name: ` +
          'remove container_name, or use strategy: recreate'
      )
    }
  }
  return problems
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

async function idsOf(host: HostContext, cmd: RemoteCommand): Promise<string[]> {
  return (await host.check(cmd, { quiet: true })).stdout
    .split('\n')
    .map(s => s.trim())
    .filter(Boolean)
}

async function inspect(host: HostContext, ids: readonly string[]): Promise<RollContainer[]> {
  if (ids.length === 0) return []
  return parseRollInspect((await host.check(inspectCommand(ids), { quiet: true })).stdout)
}

interface ServicePlan {
  service: string
  /** The container that serves now and keeps serving until its successor is healthy. */
  old?: RollContainer
  /** Stopped containers of the service, which `--scale` would count as replicas. */
  stopped: RollContainer[]
}

export interface RollingPlan {
  plans: ServicePlan[]
  proxyRunning: boolean
}

/**
 * Reads every service's running containers and refuses what cannot roll.
 * Needs only the project name, so deployHost runs it before the new code is
 * checked out: a refusal leaves the server exactly as it was.
 */
export async function planRolling(
  host: HostContext,
  projectName: string,
  s: DeploySettings
): Promise<RollingPlan> {
  const plans: ServicePlan[] = []
  const problems: string[] = []
  for (const service of s.services) {
    const all = await inspect(
      host,
      await idsOf(host, rollingCommands.containers(projectName, service, true))
    )
    const running = all.filter(c => c.status === 'running' || c.status === 'restarting')
    problems.push(...rollingProblems(projectName, service, running))
    plans.push({ service, old: running[0], stopped: all.filter(c => !running.includes(c)) })
  }
  const proxy = s.rolling.proxyService
  const proxyRunning =
    proxy !== '' &&
    (await idsOf(host, rollingCommands.containers(projectName, proxy, false))).length > 0
  if (proxy && !proxyRunning && plans.some(p => p.old)) {
    problems.push(
      `proxy-service ${proxy} has no running container in project ${projectName}, so traffic ` +
        'could not be switched: start it first, or fix the name'
    )
  }
  if (problems.length > 0) {
    throw new Error(`strategy: rolling cannot update this app: ${problems.join('; ')}`)
  }
  return { plans, proxyRunning }
}

/**
 * Polls one new container until it is healthy. Without a healthcheck,
 * running is all that can be known: checking a URL inside the network is
 * left to the service's own healthcheck.
 */
async function waitHealthy(
  host: HostContext,
  service: string,
  id: string,
  timeoutMs: number
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  for (;;) {
    const [c] = await inspect(host, [id])
    const state = c ? stateText(c) : 'gone'
    if (state !== last) host.info(`${service}: new container ${short(id)} is ${state}`)
    last = state
    if (c?.status === 'running' && c.health === 'healthy') return
    if (c?.status === 'running' && !c.health) {
      core.warning(
        `${host.label}: ${service} has no healthcheck, so its new container took traffic as soon as it ran; ` +
          'add a healthcheck so the switch waits until the app answers'
      )
      return
    }
    const over = !c || c.status === 'exited' || c.status === 'dead'
    if (over || Date.now() >= deadline) {
      host.info(`--- last 50 log lines of ${service} ${short(id)} (${state}) ---`)
      await host.run(rollingCommands.logs(id), { quiet: false })
      throw new Error(
        over
          ? `the new ${service} container ${state}`
          : `the new ${service} container was not healthy after ${Math.round(timeoutMs / 1000)}s (wait-timeout): ${state}`
      )
    }
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

async function reloadProxy(
  host: HostContext,
  project: ComposeProject,
  r: RollingSettings,
  running: boolean
): Promise<void> {
  if (!r.proxyService || !running) return
  await host.check(rollingCommands.reload(project, r.proxyService, r.proxyReloadCommand))
}

async function retire(host: HostContext, id: string, graceMs: number): Promise<void> {
  await host.check(rollingCommands.stop(id, graceMs))
  await host.check(rollingCommands.remove(id))
}

async function rollService(
  host: HostContext,
  project: ComposeProject,
  s: DeploySettings,
  plan: ServicePlan,
  proxyRunning: boolean
): Promise<void> {
  const { service, old } = plan
  const grace = s.rolling.stopGracePeriodMs
  // `--scale 2` would start these instead of creating a container from the new image.
  for (const c of plan.stopped) await host.check(rollingCommands.remove(c.id))
  if (!old) {
    host.info(`${service}: no running container, so there is nothing to keep serving; starting it`)
    await host.check(rollingCommands.start(project, service))
    const ids = await idsOf(host, rollingCommands.containers(project.projectName, service, false))
    for (const id of ids) await waitHealthy(host, service, id, s.waitTimeoutMs)
    await reloadProxy(host, project, s.rolling, proxyRunning)
    return
  }

  host.info(`${service}: starting a new container beside ${short(old.id)}`)
  const others = async () =>
    (await idsOf(host, rollingCommands.containers(project.projectName, service, true))).filter(
      id => id !== old.id
    )
  let fresh: string[] = []
  try {
    await host.check(rollingCommands.scale(project, service, 2))
    fresh = await others()
    if (fresh.length !== 1) {
      throw new Error(
        `expected one new ${service} container beside ${short(old.id)}, found ${fresh.length}`
      )
    }
    await waitHealthy(host, service, fresh[0], s.waitTimeoutMs)
    await reloadProxy(host, project, s.rolling, proxyRunning)
  } catch (err) {
    // A scale-up that failed half-way (say, on a port) can leave a created container behind.
    if (fresh.length === 0) fresh = await others().catch(() => [])
    const cleanup: string[] = []
    for (const id of fresh) {
      await retire(host, id, grace).catch(e =>
        cleanup.push(`could not remove ${short(id)}: ${errorMessage(e)}`)
      )
    }
    const kept = fresh.length ? 'it was removed' : 'nothing new runs'
    throw new Error(
      `${errorMessage(err)}; ${kept} and the old container ${short(old.id)} keeps serving` +
        (cleanup.length ? ` (${cleanup.join('; ')})` : '')
    )
  }

  const next = fresh[0]
  host.info(`${service}: ${short(next)} is healthy; stopping ${short(old.id)}`)
  await retire(host, old.id, grace)
  // The proxy forgets the old address first; the scale-down below only records that one container is wanted.
  await reloadProxy(host, project, s.rolling, proxyRunning)
  // Compose v1 keeps the lowest-numbered containers when scaling down, which
  // would remove the new one; with the old one gone there is nothing to remove.
  await host.check(rollingCommands.scale(project, service, 1))
  const left = await idsOf(host, rollingCommands.containers(project.projectName, service, true))
  if (left.length !== 1 || left[0] !== next) {
    throw new Error(
      `after scaling ${service} back to one, ${left.map(short).join(', ') || 'no container'} ` +
        `runs instead of the new ${short(next)}`
    )
  }
  host.info(`${service}: ${short(next)} serves alone`)
}

/**
 * `strategy: rolling`: for each service in order, a new container starts
 * beside the old one, the proxy is switched once the new one is healthy, and
 * only then the old one is stopped. A new container that never gets healthy
 * is removed and the old one keeps serving.
 */
export async function rollServices(
  host: HostContext,
  project: ComposeProject,
  s: DeploySettings,
  plan?: RollingPlan,
  beforeEach?: (service: string) => Promise<void>
): Promise<void> {
  const { plans, proxyRunning } = plan ?? (await planRolling(host, project.projectName, s))
  await inTurn(
    plans,
    p => p.service,
    { doing: 'rolling', done: 'replaced' },
    p => rollService(host, project, s, p, proxyRunning),
    beforeEach
  )
}
