import { ContainerState, imagesOf, keepImages } from '../containers.js'
import type { ServiceImage } from '../release-log.js'
import type { Chosen, HostDeploy } from './context.js'
import { appendRecord } from './release-record.js'

/**
 * Tags the images the release runs so a rollback needs no registry, and
 * records it as succeeded (and the release it replaced as rolled back).
 */
export async function recordSucceeded(
  d: HostDeploy,
  { live, target }: Chosen,
  containers: ContainerState[]
): Promise<void> {
  const { plan } = d
  await d.journal.begin(`recording release ${plan.releaseId} as succeeded`)
  const images: Record<string, ServiceImage> = {
    ...(live?.images ?? {}),
    ...imagesOf(containers)
  }
  await keepImages(d.host, d.s.app.projectName, plan.releaseId, images)
  await appendRecord(d, {
    id: plan.releaseId,
    images,
    status: 'succeeded',
    finishedAt: new Date().toISOString()
  })
  if (target && live) await appendRecord(d, { id: live.id, status: 'rolled-back' })
}
