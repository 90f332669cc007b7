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
  Config: { Image: string; Labels?: Record<string, string> | null }
  State: { Status: string; ExitCode: number; Health?: { Status: string } }
  HostConfig?: {
    NetworkMode?: string
    PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null
  }
}

export function parseInspect(stdout: string): ContainerState[] {
  return (JSON.parse(stdout) as InspectJson[]).map(c => ({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    service: c.Config?.Labels?.['com.docker.compose.service'] ?? '',
    status: c.State.Status,
    health: c.State.Health?.Status ?? '',
    exitCode: c.State.ExitCode,
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

/** Ready: healthy by its healthcheck, running without one, or a one-shot that exited 0. */
export function isReady(c: ContainerState): boolean {
  if (c.status === 'exited') return c.exitCode === 0
  if (c.health) return c.health === 'healthy'
  return c.status === 'running'
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
  /** A line for the log, shown whenever it changes ('' shows nothing). */
  progress(containers: readonly ContainerState[]): string
  ready(containers: readonly ContainerState[]): boolean
  /** Waiting longer cannot help (the container exited). */
  hopeless?(containers: readonly ContainerState[]): boolean
  /** The containers whose last log lines explain a failure, each with the heading shown above them. */
  culprits(containers: readonly ContainerState[]): Array<{ id: string; heading: string }>
}

/**
 * Polls the containers until `ready`. When that is hopeless or the time is up,
 * prints the last 50 log lines of each culprit and returns with `ready` false.
 */
export async function waitForContainers(
  host: HostContext,
  ids: readonly string[],
  wait: ContainerWait
): Promise<{ containers: ContainerState[]; ready: boolean }> {
  const deadline = Date.now() + wait.timeoutMs
  let last = ''
  for (;;) {
    const containers = await inspectContainers(host, ids)
    const line = wait.progress(containers)
    if (line && line !== last) host.info(line)
    last = line
    if (wait.ready(containers)) return { containers, ready: true }
    if (wait.hopeless?.(containers) || Date.now() >= deadline) {
      for (const c of wait.culprits(containers)) {
        host.info(`--- last 50 log lines of ${c.heading} ---`)
        await host.run(dockerCommands.logs(c.id), { quiet: false })
      }
      return { containers, ready: false }
    }
    await new Promise(resolve => setTimeout(resolve, wait.pollMs))
  }
}

function stateLine(c: ContainerState): string {
  const health = c.health ? ` (${c.health})` : ''
  const exit = c.status === 'exited' ? ` exit ${c.exitCode}` : ''
  return `${c.service || c.name}: ${c.status}${health}${exit}`
}

/**
 * Waits until every deployed container is ready; on timeout prints each
 * container's state and the last 50 log lines of those that are not, then throws.
 */
export async function waitUntilReady(
  host: HostContext,
  project: ComposeProject,
  services: readonly string[],
  timeoutMs: number,
  ignore: readonly string[]
): Promise<ContainerState[]> {
  const pending = (containers: readonly ContainerState[]) =>
    containers.filter(c => !ignore.includes(c.service) && !isReady(c))
  // The containers `up` created do not change while we wait; only their state does.
  const ids = await idsFrom(host, composeCommands.containerIds(project, services))
  const { containers, ready } = await waitForContainers(host, ids, {
    timeoutMs,
    pollMs: 1000,
    progress: cs => (cs.length ? `Containers: ${cs.map(stateLine).join(', ')}` : ''),
    ready: cs => cs.length > 0 && pending(cs).length === 0,
    culprits: cs => pending(cs).map(c => ({ id: c.id, heading: `${c.name} (${stateLine(c)})` }))
  })
  if (ready) return containers
  const what =
    containers.length === 0
      ? 'no container was started'
      : pending(containers).map(stateLine).join(', ')
  throw new Error(
    `containers not ready after ${Math.round(timeoutMs / 1000)}s (wait-timeout): ${what}`
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
