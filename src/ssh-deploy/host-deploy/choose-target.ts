import type { DeploySettings } from '../settings.js'
import { debugLine } from '../../core/debug-log.js'
import { isGitRef } from '../../core/git-ref.js'
import { currentRelease, findRollbackTarget, ReleaseRecord } from '../release-log.js'
import type { Chosen, HostDeploy } from './context.js'
import type { HostReport } from './report.js'

/**
 * The live release and, for rollback-to, the release to go back to; refuses
 * when there is none or its ref is not one. Changes nothing, so nothing to undo.
 */
export function chooseTarget(records: ReleaseRecord[], rollbackTo: string, log: string): Chosen {
  const live = currentRelease(records)
  if (!rollbackTo) return { live }
  const target = findRollbackTarget(records, rollbackTo)
  if (!target) {
    const known = records
      .filter(r => r.status === 'succeeded')
      .map(r => `${r.id} (${r.ref.slice(0, 12)})`)
    throw new Error(
      `nothing to roll back to for rollback-to: ${rollbackTo}. ` +
        (known.length
          ? `Succeeded releases on this host: ${known.join(', ')}`
          : 'This host has no succeeded release in its log')
    )
  }
  refuseForgedRef(target, log)
  return { live, target }
}

/** A ref read from the server's release log goes to git only if it is one. */
function refuseForgedRef(record: ReleaseRecord, log: string): void {
  if (!isGitRef(record.ref)) {
    throw new Error(
      `release ${record.id} in ${log} has ref ${JSON.stringify(record.ref.slice(0, 80))}, which is not a git ref; ` +
        'the release log was changed by hand or by someone else. Nothing was changed on this host; fix or remove that record'
    )
  }
}

/** Chooses, says a rollback's target, and opens the report of this run. */
export function chooseAndReport(d: HostDeploy, records: ReleaseRecord[]): Chosen {
  const chosen = chooseTarget(records, d.s.rollbackTo, d.paths.log)
  const { live, target } = chosen
  debugLine(`${d.host.label}: ${choiceText(records, d.s.rollbackTo, chosen)}`)
  if (target) d.host.info(`Rolling back to release ${target.id} (${target.ref})`)
  d.journal.open(firstReport(d.plan.releaseId, d.s, chosen), live)
  return chosen
}

/** Which release is live and which one this run goes to, and why, for the debug log. */
export function choiceText(records: ReleaseRecord[], rollbackTo: string, c: Chosen): string {
  const live = c.live
    ? `live release ${c.live.id} (${c.live.ref}): the newest that succeeded of ${records.length} record(s)`
    : `no live release: none of ${records.length} record(s) succeeded`
  if (!rollbackTo || !c.target) return `${live}; previous-ref is ${c.live?.ref || 'empty'}`
  const newest = records[records.length - 1]
  const why =
    rollbackTo !== 'previous'
      ? c.target.id === rollbackTo
        ? 'the release with that id'
        : `the newest succeeded or rolled-back release whose ref is ${rollbackTo}`
      : newest && newest.status !== 'succeeded' && newest.status !== 'rolled-back'
        ? `the newest record (${newest.id}) is ${newest.status}, so the server may run that release: previous is the live one`
        : 'the last release that succeeded before the live one, with another ref'
  return `${live}; rollback-to ${rollbackTo} is release ${c.target.id} (${c.target.ref}): ${why}`
}

/** What the report says before anything is done. */
export function firstReport(
  releaseId: string,
  s: Pick<DeploySettings, 'ref'>,
  { live, target }: Chosen
): Omit<HostReport, 'changed'> {
  return {
    releaseId,
    ref: target?.ref ?? s.ref,
    previousRef: live?.ref ?? '',
    previousRelease: live?.id ?? '',
    rollbackOf: target?.id
  }
}
