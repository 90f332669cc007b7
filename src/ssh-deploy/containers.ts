import { cancellation } from '../core/cancellation.js'
import { composeCommands } from '../commands/compose.js'
import { dockerCommands } from '../commands/docker.js'
import type { ComposeProject } from '../commands/compose.js'
import type { HostContext } from '../core/fleet.js'
import { pruneListed } from '../core/prune.js'
import type { RemoteCommand } from '../core/remote-command.js'
import { ServiceImage } from './release-log.js'

/** One container as `docker inspect` shows it. */
export interface ContainerState {
  id: string
  name: string
  service: string
  status: string
  /** healthy / unhealthy / starting, or '' without a healthcheck. */
  health: string
  exitCode: number
  /** How often the engine restarted it (its restart policy); a container started anew starts at 0. */
  restartCount: number
  /** When it last started, as the engine writes it ('0001-01-01T00:00:00Z' before its first start). */
  startedAt: string
  /**
   * How long it had been up without a restart when inspected, by the server's
   * clock: since it started (running, without a healthcheck), or since the
   * oldest health probe the engine keeps when every one kept passed
   * (healthy). 0 when not up, or when the server's time is not known.
   */
  steadyForMs: number
  image: string
  imageId: string
  /** Host ports it binds, as `127.0.0.1:8080->8080/tcp`; a second container cannot bind them too. */
  hostPorts: string[]
  hostNetwork: boolean
}

interface InspectJson {
  Id: string
  Name: string
  Image: string
  RestartCount?: number
  Config: { Image: string; Labels?: Record<string, string> | null }
  State: {
    Status: string
    ExitCode: number
    StartedAt?: string
    Health?: { Status: string; Log?: Array<{ Start?: string; ExitCode?: number }> | null }
  }
  HostConfig?: {
    NetworkMode?: string
    PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null
  }
}

/** Since when the container has been up without a restart, in ms since the epoch, or undefined. */
function steadySince(c: InspectJson): number | undefined {
  if (c.State.Status !== 'running') return undefined
  const started = Date.parse(c.State.StartedAt ?? '')
  if (!Number.isFinite(started)) return undefined
  const health = c.State.Health
  if (!health) return started
  const probes = health.Log ?? []
  if (health.Status !== 'healthy' || probes.length === 0) return undefined
  if (probes.some(p => p.ExitCode !== 0)) return undefined
  const oldest = Math.min(...probes.map(p => Date.parse(p.Start ?? '')))
  return Number.isFinite(oldest) ? Math.max(oldest, started) : undefined
}

/**
 * `docker inspect`'s JSON, after the server's time in whole seconds on a line
 * of its own when the command printed it (dockerCommands.inspect).
 */
export function parseInspect(stdout: string): ContainerState[] {
  const clock = /^(\d+)\n/.exec(stdout)
  const serverNow = clock ? Number(clock[1]) * 1000 : undefined
  const json = clock ? stdout.slice(clock[0].length) : stdout
  return (JSON.parse(json) as InspectJson[]).map(c => ({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    service: c.Config?.Labels?.['com.docker.compose.service'] ?? '',
    status: c.State.Status,
    health: c.State.Health?.Status ?? '',
    exitCode: c.State.ExitCode,
    restartCount: c.RestartCount ?? 0,
    startedAt: c.State.StartedAt ?? '',
    steadyForMs: steadyFor(serverNow, steadySince(c)),
    image: c.Config?.Image ?? '',
    imageId: c.Image ?? '',
    // An empty HostPort (or 0) is an ephemeral port: each container gets its own.
    hostPorts: Object.entries(c.HostConfig?.PortBindings ?? {}).flatMap(([port, bindings]) =>
      (bindings ?? [])
        .filter(b => b.HostPort && b.HostPort !== '0')
        .map(b => `${b.HostIp || '0.0.0.0'}:${b.HostPort}->${port}`)
    ),
    hostNetwork: c.HostConfig?.NetworkMode === 'host'
  }))
}

function steadyFor(serverNow: number | undefined, since: number | undefined): number {
  return serverNow === undefined || since === undefined ? 0 : Math.max(0, serverNow - since)
}

/** One inspection of a container, `at` ms on the runner's clock. */
export interface Look {
  at: number
  state: ContainerState
}

export type Verdict =
  { kind: 'ready' } | { kind: 'waiting'; why: string } | { kind: 'failed'; why: string }

const hasStarted = (c: ContainerState) => c.status !== 'created' && !c.startedAt.startsWith('0001-')

/** Healthy by its healthcheck, or running without one. */
const isUp = (c: ContainerState) => c.status === 'running' && (!c.health || c.health === 'healthy')

/** How the container restarted since the first look, or '' when it did not. */
function restartSeen(looks: readonly Look[], c: ContainerState): string {
  if (c.status === 'restarting') return `is restarting (exit code ${c.exitCode})`
  const more = c.restartCount - looks[0].state.restartCount
  if (more > 0) return `restarted ${more} time(s) during the wait`
  const first = looks.find(l => hasStarted(l.state))?.state
  if (first && first.startedAt !== c.startedAt) return 'was started again during the wait'
  return ''
}

/**
 * What a container's inspections so far, oldest first, say. Ready: healthy
 * (or running, without a healthcheck), not restarted since the first look,
 * and seen so for `stableMs`; a one-shot that exited 0 is done. It failed
 * when it exited non-zero, died, or restarted: waiting longer cannot help.
 */
export function judgeContainer(looks: readonly Look[], stableMs: number): Verdict {
  const last = looks[looks.length - 1]
  const c = last.state
  if (c.status === 'exited')
    return c.exitCode === 0
      ? { kind: 'ready' }
      : { kind: 'failed', why: `exited with code ${c.exitCode}` }
  if (c.status === 'dead') return { kind: 'failed', why: `is dead (exit code ${c.exitCode})` }
  const restarted = restartSeen(looks, c)
  if (restarted) return { kind: 'failed', why: restarted }
  if (!isUp(c)) return { kind: 'waiting', why: stateText(c) }
  let since = last.at
  for (let i = looks.length - 1; i >= 0 && isUp(looks[i].state); i--) since = looks[i].at
  // Up at every look and not restarted: it was up already, at the first look, for as long as
  // the server said then (the engine keeps only the last few health probes, so a later look may say less).
  const first = looks[0]
  const held =
    since === first.at
      ? Math.max(last.at - first.at + first.state.steadyForMs, c.steadyForMs)
      : last.at - since
  if (held >= stableMs) return { kind: 'ready' }
  return {
    kind: 'waiting',
    why: `${stateText(c)}, stable for ${Math.floor(held / 1000)}s of ${Math.round(stableMs / 1000)}s`
  }
}

export interface ReleaseVerdict {
  kind: Verdict['kind']
  waiting: Array<{ container: ContainerState; why: string }>
  failed: Array<{ container: ContainerState; why: string }>
}

/**
 * Every container's verdict, the services in `ignore` left out: failed as
 * soon as one failed, ready when all are (and there is at least one).
 */
export function judgeRelease(
  looks: ReadonlyMap<string, readonly Look[]>,
  ignore: readonly string[],
  stableMs: number
): ReleaseVerdict {
  const waiting: ReleaseVerdict['waiting'] = []
  const failed: ReleaseVerdict['failed'] = []
  for (const history of looks.values()) {
    const container = history[history.length - 1].state
    if (ignore.includes(container.service)) continue
    const verdict = judgeContainer(history, stableMs)
    if (verdict.kind === 'failed') failed.push({ container, why: verdict.why })
    if (verdict.kind === 'waiting') waiting.push({ container, why: verdict.why })
  }
  const kind =
    failed.length > 0 ? 'failed' : waiting.length > 0 || looks.size === 0 ? 'waiting' : 'ready'
  return { kind, waiting, failed }
}

/** Container ids a command prints, one per line. */
export async function idsFrom(host: HostContext, cmd: RemoteCommand): Promise<string[]> {
  return (await host.check(cmd, { quiet: true })).stdout
    .split('\n')
    .map(s => s.trim())
    .filter(Boolean)
}

export async function inspectContainers(
  host: HostContext,
  ids: readonly string[]
): Promise<ContainerState[]> {
  if (ids.length === 0) return []
  return parseInspect((await host.check(dockerCommands.inspect(ids), { quiet: true })).stdout)
}

export async function listContainers(
  host: HostContext,
  project: ComposeProject,
  services: readonly string[]
): Promise<ContainerState[]> {
  return inspectContainers(
    host,
    await idsFrom(host, composeCommands.containerIds(project, services))
  )
}

/** How to wait for some containers, and what to show when they do not get there. */
export interface ContainerWait {
  timeoutMs: number
  pollMs: number
  /** Each inspection, with its time, before the questions below are asked about it. */
  observe?(containers: readonly ContainerState[], at: number): void
  /** A line for the log, shown whenever it changes ('' shows nothing). */
  progress(containers: readonly ContainerState[]): string
  /** A line shown when nothing was shown for PROGRESS_EVERY_MS: what it still waits for ('' shows nothing). */
  stillWaiting?(containers: readonly ContainerState[], waitedMs: number): string
  ready(containers: readonly ContainerState[]): boolean
  /** Waiting longer cannot help (the container exited). */
  hopeless?(containers: readonly ContainerState[]): boolean
  /** The containers as inspected right before the wait: its first look. */
  firstLook?: ContainerState[]
  /** The containers whose last log lines explain a failure, each with the heading shown above them. */
  culprits(containers: readonly ContainerState[]): Array<{ id: string; heading: string }>
}

/** A long wait says what it still waits for this often, however often it looks. */
const PROGRESS_EVERY_MS = 5000

/** The log lines of a culprit that go into the error, besides the 50 in the log. */
const LOG_LINES_IN_ERROR = 5

/**
 * Polls the containers until `ready`. When that is hopeless or the time is up,
 * prints the last 50 log lines of each culprit and returns with `ready` false,
 * and each culprit's last few lines (stdout, then stderr) by its id.
 */
export async function waitForContainers(
  host: HostContext,
  ids: readonly string[],
  wait: ContainerWait
): Promise<{ containers: ContainerState[]; ready: boolean; lastLines: Map<string, string[]> }> {
  const started = Date.now()
  const deadline = started + wait.timeoutMs
  let last = ''
  let shownAt = started
  let seen = wait.firstLook
  for (;;) {
    const containers = seen ?? (await inspectContainers(host, ids))
    seen = undefined
    const now = Date.now()
    wait.observe?.(containers, now)
    const line = wait.progress(containers)
    const still =
      now - shownAt >= PROGRESS_EVERY_MS ? wait.stillWaiting?.(containers, now - started) : ''
    if (line && line !== last) {
      host.info(line)
      shownAt = now
    } else if (still && !wait.ready(containers)) {
      host.info(still)
      shownAt = now
    }
    last = line
    if (wait.ready(containers)) return { containers, ready: true, lastLines: new Map() }
    if (wait.hopeless?.(containers) || now >= deadline) {
      const lastLines = new Map<string, string[]>()
      for (const c of wait.culprits(containers)) {
        host.info(`--- last 50 log lines of ${c.heading} ---`)
        const logs = await host.run(dockerCommands.logs(c.id), { quiet: false })
        lastLines.set(c.id, [...tail(logs.stdout), ...tail(logs.stderr)])
      }
      return { containers, ready: false, lastLines }
    }
    await new Promise(resolve => setTimeout(resolve, wait.pollMs))
  }
}

const tail = (text: string) =>
  text
    .split('\n')
    .map(l => l.trimEnd())
    .filter(Boolean)
    .slice(-LOG_LINES_IN_ERROR)

function stateText(c: ContainerState): string {
  const health = c.health ? ` (${c.health})` : ''
  const exit = c.status === 'exited' ? ` exit ${c.exitCode}` : ''
  return `${c.status}${health}${exit}`
}

const stateLine = (c: ContainerState) => `${c.service || c.name}: ${stateText(c)}`

function stillWaitingLine(verdict: ReleaseVerdict, waitedMs: number, timeoutMs: number): string {
  const what = verdict.waiting.map(w => `${w.container.service || w.container.name} (${w.why})`)
  return `Still waiting for ${what.join(', ') || 'a container'}: ${Math.round(waitedMs / 1000)}s of ${Math.round(timeoutMs / 1000)}s (wait-timeout)`
}

/** The containers of the services `up` started, as inspected now: every service of the project when none are named. */
async function releaseContainers(
  host: HostContext,
  project: ComposeProject,
  services: readonly string[]
): Promise<ContainerState[]> {
  const names =
    services.length > 0 ? services : await idsFrom(host, composeCommands.services(project))
  // By label and with stopped ones: a container that exited must be seen, and a
  // service no longer in the compose file (an orphan) is not the release's.
  const ids = await idsFrom(host, dockerCommands.projectContainers(project.projectName))
  return (await inspectContainers(host, ids)).filter(c => names.includes(c.service))
}

/**
 * Waits until every deployed container is ready (judgeContainer: up, not
 * restarted, and so for `stableMs`). Fails at once when one exited non-zero
 * or restarted, else at the timeout, naming each container that is not
 * ready with its last log lines, after the last 50 of each in the log.
 */
export async function waitUntilReady(
  host: HostContext,
  project: ComposeProject,
  services: readonly string[],
  timeoutMs: number,
  ignore: readonly string[],
  stableMs = 0
): Promise<ContainerState[]> {
  const looks = new Map<string, Look[]>()
  let verdict: ReleaseVerdict = { kind: 'waiting', waiting: [], failed: [] }
  // A failure is explained by the containers that failed; a timeout by those still waited for.
  const notReady = () => (verdict.kind === 'failed' ? verdict.failed : verdict.waiting)
  // The containers `up` created do not change while we wait; only their state does.
  const release = await releaseContainers(host, project, services)
  const ids = release.map(c => c.id)
  const { containers, ready, lastLines } = await waitForContainers(host, ids, {
    timeoutMs,
    pollMs: 1000,
    firstLook: release,
    observe: (cs, at) => {
      for (const state of cs) looks.set(state.id, [...(looks.get(state.id) ?? []), { at, state }])
      verdict = judgeRelease(looks, ignore, stableMs)
    },
    progress: cs => (cs.length ? `Containers: ${cs.map(stateLine).join(', ')}` : ''),
    stillWaiting: (_cs, waitedMs) => stillWaitingLine(verdict, waitedMs, timeoutMs),
    ready: () => verdict.kind === 'ready',
    // A cancelled run stops waiting: the wait changes nothing, so it is a safe point.
    hopeless: () => verdict.kind === 'failed' || cancellation.requested,
    culprits: () =>
      (cancellation.requested ? [] : notReady()).map(({ container: c, why }) => ({
        id: c.id,
        heading: `${c.name} (${c.service || c.name} ${why})`
      }))
  })
  if (ready) return containers
  cancellation.throwIfRequested('the containers were ready')
  if (containers.length === 0)
    throw new Error(
      `containers not ready after ${Math.round(timeoutMs / 1000)}s (wait-timeout): no container was started`
    )
  const described = (list: ReleaseVerdict['failed'], colon = '') =>
    list
      .map(({ container: c, why }) => {
        const lines = lastLines.get(c.id) ?? []
        return `${c.service || c.name}${colon} ${why}${lines.length ? `; its last log lines:\n${lines.join('\n')}` : ''}`
      })
      .join('\n')
  if (verdict.kind === 'failed')
    throw new Error(`a container failed before it was ready: ${described(verdict.failed)}`)
  throw new Error(
    `containers not ready after ${Math.round(timeoutMs / 1000)}s (wait-timeout): ${described(verdict.waiting, ':')}`
  )
}

/** Images of a release are kept under this repository so a rollback needs no registry. */
export function releaseImageRepo(projectName: string): string {
  return `deploykit-releases/${projectName}`
}

export function releaseImageTag(projectName: string, service: string, releaseId: string): string {
  return `${releaseImageRepo(projectName)}:${service}-${releaseId}`.slice(0, 255)
}

export function imagesOf(containers: readonly ContainerState[]): Record<string, ServiceImage> {
  const images: Record<string, ServiceImage> = {}
  for (const c of containers)
    if (c.service && !images[c.service]) images[c.service] = { image: c.image, id: c.imageId }
  return images
}

export async function keepImages(
  host: HostContext,
  projectName: string,
  releaseId: string,
  images: Record<string, ServiceImage>
): Promise<void> {
  for (const [service, img] of Object.entries(images)) {
    await host.check(dockerCommands.tag(img.id, releaseImageTag(projectName, service, releaseId)), {
      quiet: true
    })
  }
}

/** Removes release tags of releases no longer kept; images still used elsewhere stay. */
export async function pruneImages(
  host: HostContext,
  projectName: string,
  keepIds: readonly string[]
): Promise<void> {
  const repo = releaseImageRepo(projectName)
  await pruneListed(host, {
    list: dockerCommands.imageTags(repo),
    ours: tag => tag !== '<none>',
    keepNewest: 0,
    isProtected: tag => keepIds.some(id => tag.endsWith(`-${id}`)),
    remove: tag => dockerCommands.removeImage(`${repo}:${tag}`)
  })
}

/** Points each service's image name back at the image a release ran. Returns false when one is gone. */
export async function restoreImages(
  host: HostContext,
  images: Record<string, ServiceImage>
): Promise<boolean> {
  for (const img of Object.values(images)) {
    // A digest reference cannot be tagged, and names one image only: it is enough that it is here.
    const restored = img.image.includes('@sha256:')
      ? await host.run(dockerCommands.imageId(img.image), { quiet: true })
      : await host.run(dockerCommands.tag(img.id, img.image), { quiet: true })
    if (restored.code !== 0) return false
  }
  return true
}
