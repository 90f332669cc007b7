import { composeCommand, ComposeProject } from '../core/compose.js'
import type { HostContext } from '../core/fleet.js'
import { RemoteCommand } from '../core/remote-command.js'
import { ServiceImage } from './release-log.js'

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
}

/** Plain `docker inspect`: its JSON has every field on every engine version (templates fail on a missing .State.Health). */
export function inspectCommand(ids: readonly string[]): RemoteCommand {
  return { argv: ['docker', 'inspect', '--', ...ids] }
}

interface InspectJson {
  Id: string
  Name: string
  Image: string
  Config: { Image: string; Labels?: Record<string, string> | null }
  State: { Status: string; ExitCode: number; Health?: { Status: string } }
}

export function parseInspect(stdout: string): ContainerState[] {
  return (JSON.parse(stdout) as InspectJson[]).map(c => ({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    service: c.Config.Labels?.['com.docker.compose.service'] ?? '',
    status: c.State.Status,
    health: c.State.Health?.Status ?? '',
    exitCode: c.State.ExitCode,
    image: c.Config.Image,
    imageId: c.Image
  }))
}

/** Ready: healthy by its healthcheck, running without one, or a one-shot that exited 0. */
export function isReady(c: ContainerState): boolean {
  if (c.status === 'exited') return c.exitCode === 0
  if (c.health) return c.health === 'healthy'
  return c.status === 'running'
}

async function containerIds(
  host: HostContext,
  project: ComposeProject,
  services: readonly string[]
): Promise<string[]> {
  const ps = await host.check(composeCommand(project, ['ps', '-q', ...services]), { quiet: true })
  return ps.stdout
    .split('\n')
    .map(s => s.trim())
    .filter(Boolean)
}

async function inspect(host: HostContext, ids: readonly string[]): Promise<ContainerState[]> {
  if (ids.length === 0) return []
  return parseInspect((await host.check(inspectCommand(ids), { quiet: true })).stdout)
}

export async function listContainers(
  host: HostContext,
  project: ComposeProject,
  services: readonly string[]
): Promise<ContainerState[]> {
  return inspect(host, await containerIds(host, project, services))
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
  const deadline = Date.now() + timeoutMs
  // The containers `up` created do not change while we wait; only their state does.
  const ids = await containerIds(host, project, services)
  let containers: ContainerState[] = []
  let lastReport = ''
  for (;;) {
    containers = await inspect(host, ids)
    const pending = containers.filter(c => !ignore.includes(c.service) && !isReady(c))
    const report = containers.map(stateLine).join(', ')
    if (report !== lastReport) host.info(`Containers: ${report || 'none'}`)
    lastReport = report
    if (containers.length > 0 && pending.length === 0) return containers
    if (Date.now() >= deadline) {
      for (const c of pending) {
        host.info(`--- last 50 log lines of ${c.name} (${stateLine(c)}) ---`)
        await host.run({ argv: ['docker', 'logs', '--tail', '50', c.id] }, { quiet: false })
      }
      const what =
        containers.length === 0 ? 'no container was started' : pending.map(stateLine).join(', ')
      throw new Error(
        `containers not ready after ${Math.round(timeoutMs / 1000)}s (wait-timeout): ${what}`
      )
    }
    await new Promise(resolve => setTimeout(resolve, 1000))
  }
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
    await host.check(
      { argv: ['docker', 'tag', img.id, releaseImageTag(projectName, service, releaseId)] },
      { quiet: true }
    )
  }
}

/** Removes release tags of releases no longer kept; images still used elsewhere stay. */
export async function pruneImages(
  host: HostContext,
  projectName: string,
  keepIds: readonly string[]
): Promise<void> {
  const repo = releaseImageRepo(projectName)
  const listed = await host.run(
    { argv: ['docker', 'image', 'ls', '--format', '{{.Tag}}', repo] },
    { quiet: true }
  )
  const stale = listed.stdout
    .split('\n')
    .map(t => t.trim())
    .filter(t => t && t !== '<none>' && !keepIds.some(id => t.endsWith(`-${id}`)))
  for (const tag of stale)
    await host.run({ argv: ['docker', 'image', 'rm', `${repo}:${tag}`] }, { quiet: true })
}

/** Points each service's image name back at the image a release ran. Returns false when one is gone. */
export async function restoreImages(
  host: HostContext,
  images: Record<string, ServiceImage>
): Promise<boolean> {
  for (const img of Object.values(images)) {
    // A digest reference cannot be tagged, and names one image only: it is enough that it is here.
    const restored = img.image.includes('@sha256:')
      ? await host.run(
          { argv: ['docker', 'image', 'inspect', '--format', '{{.Id}}', img.image] },
          { quiet: true }
        )
      : await host.run({ argv: ['docker', 'tag', img.id, img.image] }, { quiet: true })
    if (restored.code !== 0) return false
  }
  return true
}
