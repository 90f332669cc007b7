import * as core from '@actions/core'
import { run as collectstatic } from '../collectstatic/main.js'
import { Cancelled, cancellation } from '../core/cancellation.js'
import { debugLine } from '../core/debug-log.js'
import { StageResult } from '../core/entry.js'
import { HostContext } from '../core/fleet.js'
import { escapeHtml } from '../core/html.js'
import { logRemote } from '../core/log.js'
import { run as migrate, migrateHost, MigrateReport } from '../migrate/main.js'
import type { MigrateSettings } from '../migrate/settings.js'
import type { BackupRecord } from '../migrate/restore-proof.js'
import { backupOutputs } from '../migrate/backup-report.js'
import { run as smokeCheck } from '../smoke-check/main.js'
import { locksReleased, run as sshDeploy } from '../ssh-deploy/main.js'
import { GithubDeployment } from './github-deployment.js'
import { HeldLocks } from './held-locks.js'
import {
  collectstaticAgainNote,
  decideRollback,
  decisionText,
  hostsAfterRollback,
  migratedDownNote,
  migrateDownFailedMessage,
  previousRefOf,
  RollbackDecision,
  rolledBackMessage,
  wayBackOf,
  wayBackText
} from './rollback-decision.js'
import { RootSettings } from './root-settings.js'
import { writeGlance } from './glance-summary.js'
import { StageClock } from './timeline.js'

export interface RootOutcome extends StageResult {
  releaseId: string
  deployedRef: string
  previousRef: string
  backupFile: string
  /** The pre-migration dump's size, sha256, proof and copies; absent without one. */
  backup?: BackupRecord
  /** The database's revision before this run migrated it ('' when it did not migrate). */
  fromRevision: string
  rolledBack: boolean
}

type Deployed = Awaited<ReturnType<typeof sshDeploy>>

/** How far the stages after the deploy got. */
interface Progress {
  failure?: string
  migrated: boolean
  backupFile: string
  backup?: BackupRecord
  /** The revision the migration found, recorded before it changed anything. */
  fromRevision: string
}

async function writeEarlyMigrateSummary(r: MigrateReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const what = r.applied.length ? `applied ${escapeHtml(r.applied.join(', '))}` : 'nothing to apply'
  await core.summary
    .addRaw(
      `<p>Migrated before the start: ${what}${r.backupFile ? `; backup <code>${escapeHtml(r.backupFile)}</code>` : ''}.</p>`,
      true
    )
    .write()
}

/** When each stage of this run began and ended, for the summary's timeline. */
let clock = new StageClock()

async function stage<T extends StageResult>(title: string, work: () => Promise<T>): Promise<T> {
  logRemote(`\n▶ ${title}`)
  const result = await clock.time(title, work)
  logRemote(`${result.ok ? '✔' : '✘'} ${title}: ${result.message}`)
  return result
}

/** A command's effect is unknown: after it ran, its down-command is what undoes it. */
function changedDatabase(s: RootSettings, r: MigrateReport): boolean {
  return r.applied.length > 0 || s.migrate?.tool === 'command'
}

/** With migrate-before-start, each host migrates inside the deploy, between images and start. */
async function deployStage(
  s: RootSettings,
  locks: HeldLocks
): Promise<{ deployed: Deployed; early: Progress }> {
  const early: MigrateReport[] = []
  const earlySettings = s.migrateBeforeStart ? s.migrate : undefined
  const beforeStart =
    earlySettings &&
    (async (host: HostContext) => {
      const migrating = earlySettings.migrateHost.address.label
      if (host.label !== migrating) {
        host.info(`The database is migrated once, on ${migrating} (migrate-host)`)
        return
      }
      host.info('Migrating before the new release starts (migrate-before-start)')
      early.push(await migrateHost(host, earlySettings))
    })
  const deployed = await stage('ssh-deploy', () =>
    // The way back of a failed fleet is this action's: the down migration goes first.
    sshDeploy(s.deploy, {
      wayBack: false,
      beforeStart,
      fleetRollback: false,
      ...heldBy(locks),
      confirmLater: true
    })
  )
  await locks.hold()
  if (early.length > 0) await writeEarlyMigrateSummary(early[0])
  return {
    deployed,
    early: {
      failure: deployed.ok ? undefined : deployed.message,
      migrated: early.some(r => changedDatabase(s, r)),
      backupFile: early[0]?.backupFile ?? '',
      backup: early[0]?.backup,
      fromRevision: early[0]?.fromRevision ?? ''
    }
  }
}

/** ssh-deploy takes each host's lock with this run's token and leaves it to `locks`. */
function heldBy(locks: HeldLocks) {
  return { lockToken: locks.token, keepLocks: true, onLocked: (host: string) => locks.taken(host) }
}

/**
 * A stage after the deploy runs only when the stages before it succeeded,
 * the run was not cancelled, and every host's lock is still this run's.
 */
function mayRun(now: Progress, title: string, locks: HeldLocks): boolean {
  if (now.failure) return false
  const lost = locks.lost()
  if (lost) {
    now.failure = `${lost.host}: another deploy took over the deploy lock: ${lost.holder}, so this run stopped before ${title}`
    logRemote(`✘ ${title}: ${now.failure}`)
    return false
  }
  if (cancellation.requested) {
    now.failure = new Cancelled(cancellation.signal!, title).message
    logRemote(`✘ ${title}: ${now.failure}`)
    return false
  }
  return true
}

/** Migrate, collectstatic and the smoke check, each only when the stages before it succeeded. */
async function laterStages(
  s: RootSettings,
  progress: Progress,
  locks: HeldLocks,
  releaseId: string
): Promise<Progress> {
  const now = { ...progress }
  if (s.migrate && !s.migrateBeforeStart && mayRun(now, 'migrate', locks)) {
    // The backup is recorded in the release log under the release this run deployed.
    const settings = { ...s.migrate, releaseId: releaseId || undefined }
    const result = await stage('migrate', () => migrate(settings))
    now.backupFile = result.report?.backupFile ?? ''
    now.backup = result.report?.backup
    now.fromRevision = result.report?.fromRevision ?? ''
    now.migrated = Boolean(result.report && changedDatabase(s, result.report))
    if (!result.ok) now.failure = result.message
  }
  if (s.collectstatic && mayRun(now, 'collectstatic', locks)) {
    const settings = s.collectstatic
    const result = await stage('collectstatic', () => collectstatic(settings))
    if (!result.ok) now.failure = result.message
  }
  if (s.smoke && mayRun(now, 'smoke-check', locks)) {
    const settings = s.smoke
    const result = await stage('smoke-check', () => smokeCheck(settings))
    if (!result.ok) now.failure = result.message
  }
  return now
}

async function writeWayBack(previousRef: string): Promise<void> {
  if (!previousRef || !process.env.GITHUB_STEP_SUMMARY) return
  await core.summary
    .addRaw(
      `<p>To go back: the rollback workflow, or ssh-deploy with <code>rollback-to: previous</code> (<code>${escapeHtml(previousRef.slice(0, 12))}</code>).</p>`,
      true
    )
    .write()
}

/**
 * The down migration lives in the new release's code, so it runs before the
 * code goes back: once, on the migrate host, after a fresh backup, down to the
 * revision recorded before this run. When it fails the code stays: the old
 * release's code on a half-migrated database would be worse. Returns whether
 * the hosts went back, and the final message.
 */
async function rollBack(
  s: RootSettings,
  decision: Extract<RollbackDecision, { kind: 'roll-back' }>,
  progress: Progress,
  deployed: Deployed,
  locks: HeldLocks
): Promise<{ rolledBack: boolean; message: string }> {
  const notes: string[] = []
  if (decision.migrateDown && s.migrateDown) {
    const settings = {
      ...downSettings(s.migrateDown, progress.fromRevision),
      releaseId: deployed.releaseId || undefined
    }
    const down = await stage('rollback: migrate down', () => migrate(settings))
    if (!down.ok) {
      return {
        rolledBack: false,
        message: migrateDownFailedMessage(decision.failure, down.message, {
          host: settings.migrateHost.address.label,
          beforeDeploy: progress.backupFile,
          dir: settings.backup?.dir ?? ''
        })
      }
    }
    notes.push(
      migratedDownNote(
        { ...down, toRevision: down.report?.toRevision },
        settings.downTo ?? settings.target
      )
    )
  } else if (decision.databaseNote) {
    notes.push(decision.databaseNote)
  }
  // Each host goes back to the release it ran before this run; a host this run did not change stays.
  const backTo = wayBackOf(deployed.rows)
  for (const line of wayBackText(deployed.rows)) debugLine(`rollback: ${line}`)
  const back =
    backTo.size > 0
      ? await stage('rollback: ssh-deploy', () =>
          sshDeploy(s.rollback, { backTo, ...heldBy(locks) })
        )
      : { ok: true, message: 'no host to put back', releaseId: '', rows: [] }
  if (back.ok && s.collectstatic) {
    const settings = s.collectstatic
    const again = await stage('rollback: collectstatic', () =>
      collectstatic(settings, { afterRollback: true })
    )
    notes.push(...collectstaticAgainNote(again))
  }
  const hosts = hostsAfterRollback(deployed.rows, back.rows)
  return {
    rolledBack: back.ok && backTo.size > 0,
    message: rolledBackMessage(decision, { ...back, hosts }, notes)
  }
}

/** Alembic and Django go down to the revision recorded before the run, never below it. */
function downSettings(down: MigrateSettings, fromRevision: string): MigrateSettings {
  if (down.tool !== 'alembic' && down.tool !== 'django') return down
  return { ...down, downTo: fromRevision }
}

/**
 * Each host's lock is held from the first change to the end of the smoke
 * check and any rollback, and freed at the very end, also after a failure or
 * a cancel; a killed run's post step frees it.
 */
export async function run(s: RootSettings): Promise<RootOutcome> {
  clock = new StageClock()
  const locks = new HeldLocks(s.deploy.connection, s.deploy.app.appDir)
  try {
    const outcome = await runLocked(s, locks)
    // Read while the locks are still held: the log as this run left it.
    writeGlance({
      ...outcome,
      verdict: outcome.message,
      spans: clock.spans,
      hosts: s.deploy.connection.targets.map(t => t.address.label),
      history: await locks.releaseLog()
    })
    return outcome
  } finally {
    const { left } = await locks.releaseAll()
    if (left.length === 0) locksReleased()
  }
}

/**
 * The release is `succeeded` in each host's log only now that every stage
 * after the deploy passed; else `failed`, or `cancelled` when the run was.
 */
async function recordVerdict(deployed: Deployed, failure: string | undefined, locks: HeldLocks) {
  const hosts = deployed.rows.filter(r => r.status === 'succeeded').map(r => r.host)
  if (hosts.length === 0) return
  const finishedAt = new Date().toISOString()
  await (failure === undefined
    ? locks.record(
        hosts,
        { id: deployed.releaseId, status: 'succeeded', finishedAt },
        'it stays recorded as started there, so rollback-to: previous does not choose it'
      )
    : locks.record(
        hosts,
        {
          id: deployed.releaseId,
          // Stopped at a safe point by a cancel: not a failure of the release, and not verified.
          status: cancellation.requested ? 'cancelled' : 'failed',
          finishedAt,
          error: failure.slice(0, 500)
        },
        'it stays recorded as started there, which rollback-to: previous does not choose either'
      ))
}

async function runLocked(s: RootSettings, locks: HeldLocks): Promise<RootOutcome> {
  const deployment = await GithubDeployment.create(s.deployment)
  const { deployed, early } = await deployStage(s, locks)
  const progress = await laterStages(s, early, locks, deployed.releaseId)
  const decision = decideRollback({
    deployed,
    ...progress,
    autoRollback: s.autoRollback,
    canMigrateDown: s.migrateDown !== undefined,
    cancelled: cancellation.signal
  })
  debugLine(decisionText(decision))
  const outcome: RootOutcome = {
    ok: false,
    message: '',
    releaseId: deployed.releaseId,
    deployedRef: '',
    previousRef: previousRefOf(deployed.rows),
    backupFile: progress.backupFile,
    backup: progress.backup,
    fromRevision: progress.fromRevision,
    rolledBack: false
  }
  await recordVerdict(
    deployed,
    decision.kind === 'deployed' ? undefined : (progress.failure ?? 'the deploy did not pass'),
    locks
  )
  if (decision.kind === 'deployed') {
    await deployment?.status('success', decision.status)
    await writeWayBack(outcome.previousRef)
    return { ...outcome, ok: true, deployedRef: decision.deployedRef, message: decision.message }
  }
  if (decision.kind === 'stay') {
    await deployment?.status('failure', decision.status)
    return { ...outcome, message: decision.message }
  }
  const { rolledBack, message } = await rollBack(s, decision, progress, deployed, locks)
  await deployment?.status('failure', decision.failure)
  return { ...outcome, rolledBack, message }
}

export function setOutputs(o: RootOutcome): void {
  core.setOutput('release-id', o.releaseId)
  core.setOutput('deployed-ref', o.deployedRef)
  core.setOutput('previous-ref', o.previousRef)
  core.setOutput('backup-file', o.backupFile)
  // The pre-migration dump's, also after a rollback's down-migration took one of its own.
  for (const [name, value] of Object.entries(backupOutputs(o.backup))) core.setOutput(name, value)
  core.setOutput('migrate-from-revision', o.fromRevision)
  core.setOutput('rolled-back', String(o.rolledBack))
}
