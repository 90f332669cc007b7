import { restoreImages } from '../containers.js'
import type { RollingPlan } from '../rolling.js'
import { updateServices } from '../update-services.js'
import { Chosen, composeProject, HostDeploy } from './context.js'

/**
 * Brings the release's images (a rollback's own, when they are still there)
 * and its containers up the way strategy says. No undo of its own: the
 * started record's undo records the failure; strategy: rolling removes a new
 * container that fails and keeps the old one serving.
 */
export async function updateContainers(
  d: HostDeploy,
  { target }: Chosen,
  rollingPlan: RollingPlan | undefined
): Promise<void> {
  const { host, journal } = d
  const restored = target?.images ? await restoreImages(host, target.images) : false
  if (target && !restored)
    host.info(
      'Images of that release are not all on the server any more; building or pulling them again'
    )
  const beforeStart = d.plan.beforeStart
  await journal.change(
    `updating the containers to release ${d.plan.releaseId}`,
    () =>
      updateServices(host, composeProject(d), d.s, restored, {
        rollingPlan,
        beforeStart:
          beforeStart &&
          (async () => {
            await journal.begin('migrating before the start')
            await beforeStart(host)
          }),
        beforeEach: service => journal.begin(`updating ${service}`, { containers: true }),
        beforeUp: () => journal.containersChanging()
      }),
    { containers: true, app: true }
  )
}
