import { ContainerState, imagesOf, keepImages } from '../containers.js'
import type { ServiceImage } from '../release-log.js'
import type { Chosen, HostDeploy } from './context.js'
import { appendRecord } from './release-record.js'

/**
 * Tags the images the release runs so a rollback needs no registry, and
 * records it as succeeded (and the release it replaced as rolled back).
 * When the caller verifies it afterwards (the root action's smoke check), the
 * release is recorded ready, still started: only the caller records it
 * succeeded, so a release whose check failed or never ran is never `previous`.
 */
export async function recordSucceeded(
  d: HostDeploy,
  { live, target }: Chosen,
  containers: ContainerState[]
): Promise<void> {
  const { plan } = d
  await d.journal.begin(
    `recording release ${plan.releaseId} as ${plan.confirmLater ? 'ready' : 'succeeded'}`
  )
  const images: Record<string, ServiceImage> = {
    ...(live?.images ?? {}),
    ...imagesOf(containers)
  }
  await keepImages(d.host, d.s.app.projectName, plan.releaseId, images)
  const now = new Date().toISOString()
  await appendRecord(
    d,
    plan.confirmLater
      ? { id: plan.releaseId, images, readyAt: now }
      : { id: plan.releaseId, images, status: 'succeeded', finishedAt: now }
  )
  if (target && live) await appendRecord(d, { id: live.id, status: 'rolled-back' })
}
