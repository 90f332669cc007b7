import * as core from '@actions/core'
import { composeCommands } from '../commands/compose.js'
import type { ComposeProject } from '../commands/compose.js'
import { dockerCommands } from '../commands/docker.js'
import { errorMessage } from '../core/errors.js'
import type { HostContext } from '../core/fleet.js'
import { ContainerState, idsFrom, inspectContainers, waitForContainers } from './containers.js'
import { inTurn } from './in-turn.js'
import type { RollingSettings } from './rolling-settings.js'
import type { DeploySettings } from './settings.js'

const short = (id: string) => id.slice(0, 12)

function stateText(c: ContainerState): string {
  if (c.status === 'exited' || c.status === 'dead') return `${c.status} with code ${c.exitCode}`
  return c.health ? `${c.status} (${c.health})` : c.status
}

/** Why a service cannot run a second container beside the first one, if it cannot. */
export function rollingProblems(
  projectName: string,
  service: string,
  running: readonly ContainerState[]
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

interface ServicePlan {
  service: string
  /** The container that serves now and keeps serving until its successor is healthy. */
  old?: ContainerState
  /** Stopped containers of the service, which `--scale` would count as replicas. */
  stopped: ContainerState[]
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
    const all = await inspectContainers(
      host,
      await idsFrom(host, dockerCommands.serviceContainers(projectName, service, true))
    )
    const running = all.filter(c => c.status === 'running' || c.status === 'restarting')
    problems.push(...rollingProblems(projectName, service, running))
    plans.push({ service, old: running[0], stopped: all.filter(c => !running.includes(c)) })
  }
  const proxy = s.rolling.proxyService
  const proxyRunning =
    proxy !== '' &&
    (await idsFrom(host, dockerCommands.serviceContainers(projectName, proxy, false))).length > 0
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
  const stateOf = ([c]: readonly ContainerState[]) => (c ? stateText(c) : 'gone')
  const over = ([c]: readonly ContainerState[]) =>
    !c || c.status === 'exited' || c.status === 'dead'
  const { containers, ready } = await waitForContainers(host, [id], {
    timeoutMs,
    pollMs: 500,
    progress: cs => `${service}: new container ${short(id)} is ${stateOf(cs)}`,
    ready: ([c]) => c?.status === 'running' && (c.health === 'healthy' || !c.health),
    hopeless: over,
    culprits: cs => [{ id, heading: `${service} ${short(id)} (${stateOf(cs)})` }]
  })
  if (ready) {
    if (!containers[0].health) {
      core.warning(
        `${host.label}: ${service} has no healthcheck, so its new container took traffic as soon as it ran; ` +
          'add a healthcheck so the switch waits until the app answers'
      )
    }
    return
  }
  const state = stateOf(containers)
  throw new Error(
    over(containers)
      ? `the new ${service} container ${state}`
      : `the new ${service} container was not healthy after ${Math.round(timeoutMs / 1000)}s (wait-timeout): ${state}`
  )
}

async function reloadProxy(
  host: HostContext,
  project: ComposeProject,
  r: RollingSettings,
  running: boolean
): Promise<void> {
  if (!r.proxyService || !running) return
  await host.check(composeCommands.reload(project, r.proxyService, r.proxyReloadCommand))
}

async function retire(host: HostContext, id: string, graceMs: number): Promise<void> {
  await host.check(dockerCommands.stop(id, graceMs))
  await host.check(dockerCommands.remove(id))
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
  for (const c of plan.stopped) await host.check(dockerCommands.remove(c.id))
  if (!old) {
    host.info(`${service}: no running container, so there is nothing to keep serving; starting it`)
    await host.check(composeCommands.start(project, service))
    const ids = await idsFrom(
      host,
      dockerCommands.serviceContainers(project.projectName, service, false)
    )
    for (const id of ids) await waitHealthy(host, service, id, s.waitTimeoutMs)
    await reloadProxy(host, project, s.rolling, proxyRunning)
    return
  }

  host.info(`${service}: starting a new container beside ${short(old.id)}`)
  const others = async () =>
    (
      await idsFrom(host, dockerCommands.serviceContainers(project.projectName, service, true))
    ).filter(id => id !== old.id)
  let fresh: string[] = []
  try {
    await host.check(composeCommands.scale(project, service, 2))
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
  await host.check(composeCommands.scale(project, service, 1))
  const left = await idsFrom(
    host,
    dockerCommands.serviceContainers(project.projectName, service, true)
  )
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
