import { appendRecord } from '../host-deploy/release-record.js'
import type { HostDeploy } from '../host-deploy/context.js'

/** Records the release as succeeded, once the stack converged. */
export async function recordSwarmSucceeded(d: HostDeploy): Promise<void> {
  await d.journal.begin(`recording release ${d.plan.releaseId} as succeeded`)
  await appendRecord(d, {
    id: d.plan.releaseId,
    status: 'succeeded',
    finishedAt: new Date().toISOString()
  })
}
