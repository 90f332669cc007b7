import type { HostRow } from '../ssh-deploy/main.js'

/** How the stages of one root action run ended, as far as they ran. */
export interface StageOutcomes {
  deployed: {
    ok: boolean
    message: string
    /** The failed deploy's message without its "Hosts now" part, which a rollback replaces. */
    failedOn?: string
    releaseId: string
    rows: readonly HostRow[]
  }
  /** The message of the first stage that failed (the stages after it did not run). */
  failure?: string
  /** This run changed the database (migrations applied, or a migration command ran). */
  migrated: boolean
  backupFile: string
  autoRollback: boolean
  /** migrate-down-target (or a down-command) says how to undo the migration. */
  canMigrateDown: boolean
  /** The signal that cancelled the run, if one did: the stages stopped and nothing is rolled back. */
  cancelled?: string
}

/** What the run does once the stages ended, and what it tells GitHub and the user. */
export type RollbackDecision =
  | { kind: 'deployed'; deployedRef: string; status: string; message: string }
  | { kind: 'stay'; status: string; message: string }
  | {
      kind: 'roll-back'
      failure: string
      /** Where the hosts go back to. */
      previousRef: string
      migrateDown: boolean
      /** Said of the database when it is not migrated down. */
      databaseNote?: string
    }

/** The commit that was live before this run, as the first host that had one recorded it. */
export function previousRefOf(rows: readonly Pick<HostRow, 'previousRef'>[]): string {
  return rows.find(r => r.previousRef)?.previousRef ?? ''
}

export function decideRollback(o: StageOutcomes): RollbackDecision {
  const { deployed, failure } = o
  if (failure === undefined) {
    const deployedRef = deployed.rows[0]?.ref ?? ''
    return {
      kind: 'deployed',
      deployedRef,
      status: `release ${deployed.releaseId}`,
      message: `Deployed release ${deployed.releaseId} (${deployedRef})`
    }
  }
  if (o.cancelled) {
    // The runner kills the step seconds after the cancel: too soon for a rollback to end.
    return {
      kind: 'stay',
      status: `cancelled (${o.cancelled})`,
      message: `${failure}. Not rolled back: the run was cancelled (${o.cancelled})${deployed.rows.some(r => r.changed) ? '; to go back, run the rollback workflow or ssh-deploy with rollback-to: previous' : ''}`
    }
  }
  if (!deployed.ok) {
    if (!deployed.rows.some(r => r.changed))
      return { kind: 'stay', status: 'deploy failed; nothing was changed', message: failure }
    // A rollback would wait for the lock and then undo the other deploy's release.
    const taken = deployed.rows.filter(r => r.lockLost).map(r => r.host)
    if (taken.length > 0) {
      return {
        kind: 'stay',
        status: 'another deploy took over the deploy lock',
        message: `${failure}. Not rolled back: another deploy took over the deploy lock on ${taken.join(', ')} and deploys there now`
      }
    }
  }
  const previousRef = previousRefOf(deployed.rows)
  if (!o.autoRollback || !previousRef) {
    const why = o.autoRollback
      ? 'there is no previous release to roll back to'
      : 'auto-rollback is off'
    return {
      kind: 'stay',
      status: failure,
      message: `${failure}. Not rolled back: ${why}; the servers may be half-deployed`
    }
  }
  return {
    kind: 'roll-back',
    // The rollback's own message says where each host ends, so the deploy's states before it go.
    // A failed deploy is the run's failure: no stage after it ran.
    failure: !deployed.ok && deployed.failedOn ? deployed.failedOn : failure,
    previousRef,
    migrateDown: o.migrated && o.canMigrateDown,
    databaseNote:
      o.migrated && !o.canMigrateDown
        ? `the database keeps the new migrations (set migrate-down-target to undo them)${o.backupFile ? `; the backup from before them is ${o.backupFile}` : ''}`
        : undefined
  }
}

/** Why the run rolls back or does not, for the debug log. */
export function decisionText(d: RollbackDecision): string {
  if (d.kind === 'deployed') return `no rollback: every stage succeeded (${d.status})`
  if (d.kind === 'stay') return `no rollback: ${d.status}`
  const database = d.migrateDown
    ? 'the database is migrated down first'
    : (d.databaseNote ?? 'the database was not changed')
  return `rollback to ${d.previousRef} because ${d.failure}; ${database}`
}

/** Per host, where the rollback takes it and why, for the debug log (the hosts as wayBackOf chooses them). */
export function wayBackText(
  rows: readonly Pick<
    HostRow,
    'host' | 'changed' | 'previousRelease' | 'previousRef' | 'lockLost'
  >[]
): string[] {
  return rows.map(r => {
    if (!r.changed) return `${r.host}: stays as it is: this run did not change it`
    if (r.lockLost) return `${r.host}: stays as it is: another deploy took over its lock`
    if (!r.previousRelease)
      return `${r.host}: stays on this run's release: it had no release before this run`
    return `${r.host}: goes back to release ${r.previousRelease} (${r.previousRef}), the one it ran before this run`
  })
}

/** What migrating down during the rollback did, as a note of the final message. */
export function migratedDownNote(
  down: { ok: boolean; message: string; toRevision?: string },
  target: string
): string {
  return down.ok
    ? `database migrated down to ${down.toRevision ?? target}`
    : `migrating down FAILED: ${down.message}`
}

/**
 * The final message when migrating down failed: the code was not rolled back,
 * and the database is where the tool left it (its message names the revision).
 */
export function migrateDownFailedMessage(
  failure: string,
  downMessage: string,
  where: { host: string; beforeDeploy: string; dir: string }
): string {
  const backups = [
    where.beforeDeploy && `the backup from before the deploy is ${where.beforeDeploy}`,
    where.dir && `backups are in ${where.dir} on ${where.host}`
  ].filter(Boolean)
  return (
    `${failure}. NOT ROLLED BACK: migrating the database down on ${where.host} failed, so every host keeps ` +
    `the new release's code (the old code on a half-migrated database would be worse): ${downMessage}` +
    (backups.length ? `; ${backups.join('; ')}` : '')
  )
}

/** What collectstatic after the rollback did, as a note of the final message (none when it worked). */
export function collectstaticAgainNote(again: { ok: boolean; message: string }): string[] {
  return again.ok ? [] : [`collectstatic after the rollback FAILED: ${again.message}`]
}

/**
 * Where each host goes back to: the release it ran before this run, as its
 * own release log said. A host this run did not change stays as it is, and
 * so does one that had no release before, or that another deploy took over.
 */
export function wayBackOf(
  rows: readonly Pick<HostRow, 'host' | 'changed' | 'previousRelease' | 'lockLost'>[]
): Map<string, string> {
  return new Map(
    rows
      .filter(r => r.changed && r.previousRelease && !r.lockLost)
      .map(r => [r.host, r.previousRelease!])
  )
}

/** One line per host: what it runs after the rollback. */
export function hostsAfterRollback(
  deployed: readonly HostRow[],
  back: readonly HostRow[]
): string[] {
  const short = (ref: string) => ref.slice(0, 12)
  return deployed.map(r => {
    const again = back.find(b => b.host === r.host)
    if (again?.status === 'succeeded')
      return `${r.host}: back on release ${r.previousRelease} (${short(again.ref)})`
    if (again) return `${r.host}: going back to release ${r.previousRelease} FAILED`
    if (r.lockLost) return `${r.host}: taken over by another deploy`
    if (!r.changed)
      return `${r.host}: unchanged${r.previousRelease ? `, still on release ${r.previousRelease} (${short(r.previousRef)})` : ''}`
    return `${r.host}: had no release before this run; stays on release ${r.release} (${short(r.ref)})`
  })
}

/** The final message of a run that rolled back (or tried to). */
export function rolledBackMessage(
  decision: { failure: string; previousRef: string },
  back: { ok: boolean; message: string; releaseId: string; hosts?: readonly string[] },
  notes: readonly string[]
): string {
  const where = back.ok
    ? back.hosts
      ? `Rolled back, each host to the release it ran before: ${back.hosts.join('; ')}`
      : `Rolled back to ${decision.previousRef} (release ${back.releaseId})`
    : `ROLLBACK FAILED: ${back.message}`
  return `${decision.failure}. ${where}${notes.length ? `; ${notes.join('; ')}` : ''}`
}
