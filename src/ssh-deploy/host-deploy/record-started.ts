import { posix } from 'node:path'
import { Cancelled } from '../../core/cancellation.js'
import { errorMessage } from '../../core/errors.js'
import type { ReleaseRecord } from '../release-log.js'
import { Chosen, HostDeploy, liveReleaseId } from './context.js'
import { appendRecord } from './release-record.js'
import { DeployFailure } from './report.js'

/**
 * Records the release as started: from here on a failure is recorded as
 * failed and the way back is named, rather than anything put back.
 */
export async function recordStarted(d: HostDeploy, chosen: Chosen): Promise<void> {
  const { s, plan, paths } = d
  const report = d.journal.report!
  await d.journal.change(
    `recording release ${plan.releaseId} as started in ${paths.log}`,
    () => {
      // Only once the change has begun: a run stopped right before it (cancelled, lock lost) still puts the staging back.
      d.journal.settle()
      return appendRecord(d, {
        id: plan.releaseId,
        ref: report.ref,
        source: s.source,
        actor: s.run.actor,
        runUrl: s.run.runUrl,
        startedAt: new Date().toISOString(),
        rollbackOf: chosen.target?.id,
        status: 'started',
        releaseDir:
          s.source === 'upload'
            ? posix.join(paths.releases, liveReleaseId(d, chosen))
            : s.app.appDir
      })
    },
    { undo: recordFailed(d, chosen.live) }
  )
}

/**
 * The undo of the started record: the release is recorded as failed (or
 * cancelled, when the run was stopped at a safe point), and the error says
 * what state the host is in.
 */
function recordFailed(d: HostDeploy, live: ReleaseRecord | undefined) {
  return async (err: unknown): Promise<DeployFailure> => {
    const message = errorMessage(err)
    const status = err instanceof Cancelled || d.journal.cancelRequested ? 'cancelled' : 'failed'
    await appendRecord(d, {
      id: d.plan.releaseId,
      status,
      finishedAt: new Date().toISOString(),
      error: message.slice(0, 500)
    }).catch(() => undefined)
    const report = d.journal.report!
    return new DeployFailure(
      `${message} — ${failedState(report.changed, d.plan, live, status)}`,
      report
    )
  }
}

/** What a failure after the started record leaves on the host. */
export function failedState(
  changed: boolean,
  plan: { releaseId: string; wayBack?: boolean },
  live: Pick<ReleaseRecord, 'id' | 'ref'> | undefined,
  recorded: 'failed' | 'cancelled' = 'failed'
): string {
  if (!changed) return 'nothing was changed'
  return (
    `the server was changed and may be half-deployed: release ${plan.releaseId} is recorded as ${recorded}` +
    (live
      ? `; the last good release is ${live.id} (${live.ref.slice(0, 12)})` +
        (plan.wayBack === false ? '' : ', restore it with rollback-to: previous')
      : '')
  )
}
