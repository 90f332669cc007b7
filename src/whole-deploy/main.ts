import * as core from '@actions/core'
import { run as collectstatic } from '../collectstatic/main.js'
import { StageResult } from '../core/entry.js'
import { HostContext } from '../core/fleet.js'
import { escapeHtml } from '../core/html.js'
import { logRemote } from '../core/log.js'
import { run as migrate, migrateHost, MigrateReport } from '../migrate/main.js'
import { run as smokeCheck } from '../smoke-check/main.js'
import { run as sshDeploy } from '../ssh-deploy/main.js'
import { GithubDeployment } from './github-deployment.js'
import {
  collectstaticAgainNote,
  decideRollback,
  hostsAfterRollback,
  migratedDownNote,
  previousRefOf,
  RollbackDecision,
  rolledBackMessage,
  wayBackOf
} from './rollback-decision.js'
import { RootSettings } from './root-settings.js'

export interface RootOutcome extends StageResult {
  releaseId: string
  deployedRef: string
  previousRef: string
  backupFile: string
  rolledBack: boolean
}

type Deployed = Awaited<ReturnType<typeof sshDeploy>>

/** How far the stages after the deploy got. */
interface Progress {
  failure?: string
  migrated: boolean
  backupFile: string
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

async function stage<T extends StageResult>(title: string, work: () => Promise<T>): Promise<T> {
  logRemote(`\n▶ ${title}`)
  const result = await work()
  logRemote(`${result.ok ? '✔' : '✘'} ${title}: ${result.message}`)
  return result
}

/** A command's effect is unknown: after it ran, its down-command is what undoes it. */
function changedDatabase(s: RootSettings, r: MigrateReport): boolean {
  return r.applied.length > 0 || s.migrate?.tool === 'command'
}

/** With migrate-before-start, each host migrates inside the deploy, between images and start. */
async function deployStage(s: RootSettings): Promise<{ deployed: Deployed; early: Progress }> {
  const early: MigrateReport[] = []
  const earlySettings = s.migrateBeforeStart ? s.migrate : undefined
  const beforeStart =
    earlySettings &&
    (async (host: HostContext) => {
      host.info('Migrating before the new release starts (migrate-before-start)')
      early.push(await migrateHost(host, earlySettings))
    })
  const deployed = await stage('ssh-deploy', () =>
    // The way back of a failed fleet is this action's: the down migration goes first.
    sshDeploy(s.deploy, { wayBack: false, beforeStart, fleetRollback: false })
  )
  if (early.length > 0) await writeEarlyMigrateSummary(early[0])
  return {
    deployed,
    early: {
      failure: deployed.ok ? undefined : deployed.message,
      migrated: early.some(r => changedDatabase(s, r)),
      backupFile: early[0]?.backupFile ?? ''
    }
  }
}

/** Migrate, collectstatic and the smoke check, each only when the stages before it succeeded. */
async function laterStages(s: RootSettings, progress: Progress): Promise<Progress> {
  const now = { ...progress }
  if (!now.failure && s.migrate && !s.migrateBeforeStart) {
    const settings = s.migrate
    const result = await stage('migrate', () => migrate(settings))
    now.backupFile = result.report?.backupFile ?? ''
    now.migrated = Boolean(result.report && changedDatabase(s, result.report))
    if (!result.ok) now.failure = result.message
  }
  if (!now.failure && s.collectstatic) {
    const settings = s.collectstatic
    const result = await stage('collectstatic', () => collectstatic(settings))
    if (!result.ok) now.failure = result.message
  }
  if (!now.failure && s.smoke) {
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
 * code goes back. Returns whether the hosts went back, and the final message.
 */
async function rollBack(
  s: RootSettings,
  decision: Extract<RollbackDecision, { kind: 'roll-back' }>,
  deployed: Deployed
): Promise<{ rolledBack: boolean; message: string }> {
  const notes: string[] = []
  if (decision.migrateDown && s.migrateDown) {
    const settings = s.migrateDown
    const down = await stage('rollback: migrate down', () => migrate(settings))
    notes.push(migratedDownNote({ ...down, toRevision: down.report?.toRevision }, settings.target))
  } else if (decision.databaseNote) {
    notes.push(decision.databaseNote)
  }
  // Each host goes back to the release it ran before this run; a host this run did not change stays.
  const backTo = wayBackOf(deployed.rows)
  const back =
    backTo.size > 0
      ? await stage('rollback: ssh-deploy', () => sshDeploy(s.rollback, { backTo }))
      : { ok: true, message: 'no host to put back', releaseId: '', rows: [] }
  if (back.ok && s.collectstatic) {
    const settings = s.collectstatic
    const again = await stage('rollback: collectstatic', () => collectstatic(settings))
    notes.push(...collectstaticAgainNote(again))
  }
  const hosts = hostsAfterRollback(deployed.rows, back.rows)
  return {
    rolledBack: back.ok && backTo.size > 0,
    message: rolledBackMessage(decision, { ...back, hosts }, notes)
  }
}

export async function run(s: RootSettings): Promise<RootOutcome> {
  const deployment = await GithubDeployment.create(s.deployment)
  const { deployed, early } = await deployStage(s)
  const progress = await laterStages(s, early)
  const decision = decideRollback({
    deployed,
    ...progress,
    autoRollback: s.autoRollback,
    canMigrateDown: s.migrateDown !== undefined
  })
  const outcome: RootOutcome = {
    ok: false,
    message: '',
    releaseId: deployed.releaseId,
    deployedRef: '',
    previousRef: previousRefOf(deployed.rows),
    backupFile: progress.backupFile,
    rolledBack: false
  }
  if (decision.kind === 'deployed') {
    await deployment?.status('success', decision.status)
    await writeWayBack(outcome.previousRef)
    return { ...outcome, ok: true, deployedRef: decision.deployedRef, message: decision.message }
  }
  if (decision.kind === 'stay') {
    await deployment?.status('failure', decision.status)
    return { ...outcome, message: decision.message }
  }
  const { rolledBack, message } = await rollBack(s, decision, deployed)
  await deployment?.status('failure', decision.failure)
  return { ...outcome, rolledBack, message }
}

export function setOutputs(o: RootOutcome): void {
  core.setOutput('release-id', o.releaseId)
  core.setOutput('deployed-ref', o.deployedRef)
  core.setOutput('previous-ref', o.previousRef)
  core.setOutput('backup-file', o.backupFile)
  core.setOutput('rolled-back', String(o.rolledBack))
}
