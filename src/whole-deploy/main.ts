import * as core from '@actions/core'
import { run as collectstatic } from '../collectstatic/main.js'
import { readCollectstaticSettings } from '../collectstatic/main.js'
import { InputError } from '../core/errors.js'
import { InputReader, readBoolean } from '../core/inputs.js'
import { StageResult } from '../core/stage.js'
import { HostContext } from '../core/fleet.js'
import { run as migrate, migrateHost, MigrateReport } from '../migrate/main.js'
import { readMigrateSettings } from '../migrate/settings.js'
import { execute as smokeCheck } from '../smoke-check/main.js'
import { readSmokeSettings } from '../smoke-check/settings.js'
import { run as sshDeploy } from '../ssh-deploy/main.js'
import { readDeploySettings } from '../ssh-deploy/settings.js'
import { GithubDeployment } from './github-deployment.js'
import { collectstaticReader, migrateReader, rollbackReader, smokeReader } from './stage-inputs.js'
import { logRemote } from '../core/log.js'
import { escapeHtml } from '../core/html.js'

export interface RootOutcome extends StageResult {
  releaseId: string
  deployedRef: string
  previousRef: string
  backupFile: string
  rolledBack: boolean
}

interface Plan {
  migrate: boolean
  /** The migration runs once the new images are ready, before any container changes. */
  migrateBeforeStart: boolean
  migrateDown: boolean
  collectstatic: boolean
  smoke: boolean
  autoRollback: boolean
}

/** Every stage's inputs are read and checked before the first server is touched. */
function readPlan(read: InputReader): Plan {
  readDeploySettings(read)
  if (read('rollback-to').trim()) {
    throw new InputError(
      'rollback-to',
      'is for the ssh-deploy action or the rollback workflow',
      'Use org/deploy-kit/ssh-deploy@v1 with rollback-to, or .github/workflows/rollback.yml'
    )
  }
  const plan: Plan = {
    migrate: (read('migrate-tool').trim() || 'none') !== 'none',
    migrateBeforeStart: readBoolean(read, 'migrate-before-start', false),
    migrateDown: false,
    collectstatic: readBoolean(read, 'collectstatic', false),
    smoke: read('smoke-urls').trim() !== '',
    autoRollback: readBoolean(read, 'auto-rollback', true)
  }
  if (plan.migrateBeforeStart) {
    const tool = read('migrate-tool').trim() || 'none'
    if (
      tool === 'none' ||
      (tool !== 'service' && (read('migrate-mode').trim() || 'exec') !== 'run')
    ) {
      throw new InputError(
        'migrate-before-start',
        tool === 'none'
          ? 'is true, but migrate-tool is none'
          : 'needs migrate-mode: run: before the start there is no container of the new release to exec into',
        'Set migrate-mode: run (a one-off container of the new image), or migrate-before-start: false'
      )
    }
  }
  if (plan.migrate) {
    readMigrateSettings(migrateReader(read))
    plan.migrateDown =
      read('migrate-down-target').trim() !== '' ||
      (read('migrate-tool').trim() === 'command' && read('migrate-down-command').trim() !== '')
    if (plan.migrateDown) readMigrateSettings(migrateReader(read, 'down'))
  }
  if (plan.collectstatic) readCollectstaticSettings(collectstaticReader(read))
  if (plan.smoke) readSmokeSettings(smokeReader(read))
  return plan
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

export async function run(read: InputReader): Promise<RootOutcome> {
  const plan = readPlan(read)
  const deployment = await GithubDeployment.create({
    token: read('github-token').trim(),
    ref: readDeploySettings(read).ref,
    environment: read('environment').trim() || 'production',
    url: read('environment-url').trim(),
    logUrl: readDeploySettings(read).run.runUrl,
    description: 'deploy-kit'
  })
  const outcome: RootOutcome = {
    ok: false,
    message: '',
    releaseId: '',
    deployedRef: '',
    previousRef: '',
    backupFile: '',
    rolledBack: false
  }

  // A command's effect is unknown: after it ran, its down-command is what undoes it.
  const changedDatabase = (r: MigrateReport) =>
    r.applied.length > 0 || read('migrate-tool').trim() === 'command'
  // With migrate-before-start, each host migrates inside the deploy, between images and start.
  const early: MigrateReport[] = []
  const earlySettings = plan.migrateBeforeStart
    ? readMigrateSettings(migrateReader(read))
    : undefined
  const beforeStart =
    earlySettings &&
    (async (host: HostContext) => {
      host.info('Migrating before the new release starts (migrate-before-start)')
      early.push(await migrateHost(host, earlySettings))
    })
  const deployed = await stage('ssh-deploy', () => sshDeploy(read, { wayBack: false, beforeStart }))
  outcome.releaseId = deployed.releaseId
  outcome.previousRef = deployed.rows.find(r => r.previousRef)?.previousRef ?? ''
  let failure: string | undefined
  let migrated = early.some(changedDatabase)
  if (early.length > 0) {
    outcome.backupFile = early[0].backupFile
    await writeEarlyMigrateSummary(early[0])
  }
  if (!deployed.ok) {
    failure = deployed.message
    if (!deployed.rows.some(r => r.changed)) {
      await deployment?.status('failure', 'deploy failed; nothing was changed')
      return { ...outcome, message: failure }
    }
    // A rollback would wait for the lock and then undo the other deploy's release.
    const taken = deployed.rows.filter(r => r.lockLost).map(r => r.host)
    if (taken.length > 0) {
      await deployment?.status('failure', 'another deploy took over the deploy lock')
      return {
        ...outcome,
        message: `${failure}. Not rolled back: another deploy took over the deploy lock on ${taken.join(', ')} and deploys there now`
      }
    }
  }
  if (!failure && plan.migrate && !plan.migrateBeforeStart) {
    const result = await stage('migrate', () => migrate(migrateReader(read)))
    outcome.backupFile = result.report?.backupFile ?? ''
    migrated = Boolean(result.report && changedDatabase(result.report))
    if (!result.ok) failure = result.message
  }
  if (!failure && plan.collectstatic) {
    const result = await stage('collectstatic', () => collectstatic(collectstaticReader(read)))
    if (!result.ok) failure = result.message
  }
  if (!failure && plan.smoke) {
    const result = await stage('smoke-check', () => smokeCheck(smokeReader(read)))
    if (!result.ok) failure = result.message
  }

  if (!failure) {
    outcome.deployedRef = deployed.rows[0]?.ref ?? ''
    await deployment?.status('success', `release ${deployed.releaseId}`)
    if (outcome.previousRef && process.env.GITHUB_STEP_SUMMARY) {
      await core.summary
        .addRaw(
          `<p>To go back: the rollback workflow, or ssh-deploy with <code>rollback-to: previous</code> (<code>${escapeHtml(outcome.previousRef.slice(0, 12))}</code>).</p>`,
          true
        )
        .write()
    }
    return {
      ...outcome,
      ok: true,
      message: `Deployed release ${deployed.releaseId} (${outcome.deployedRef})`
    }
  }
  if (!plan.autoRollback || !outcome.previousRef) {
    await deployment?.status('failure', failure)
    const why = plan.autoRollback
      ? 'there is no previous release to roll back to'
      : 'auto-rollback is off'
    return {
      ...outcome,
      message: `${failure}. Not rolled back: ${why}; the servers may be half-deployed`
    }
  }

  // The down migration lives in the new release's code, so it runs before the code goes back.
  const notes: string[] = []
  if (migrated && plan.migrateDown) {
    const down = await stage('rollback: migrate down', () => migrate(migrateReader(read, 'down')))
    notes.push(
      down.ok
        ? `database migrated down to ${down.report?.toRevision ?? read('migrate-down-target')}`
        : `migrating down FAILED: ${down.message}`
    )
  } else if (migrated) {
    notes.push(
      `the database keeps the new migrations (set migrate-down-target to undo them)${outcome.backupFile ? `; the backup from before them is ${outcome.backupFile}` : ''}`
    )
  }
  const back = await stage('rollback: ssh-deploy', () => sshDeploy(rollbackReader(read)))
  outcome.rolledBack = back.ok
  if (back.ok && plan.collectstatic) {
    const again = await stage('rollback: collectstatic', () =>
      collectstatic(collectstaticReader(read))
    )
    if (!again.ok) notes.push(`collectstatic after the rollback FAILED: ${again.message}`)
  }
  await deployment?.status('failure', failure)
  const where = back.ok
    ? `rolled back to ${outcome.previousRef} (release ${back.releaseId})`
    : `ROLLBACK FAILED: ${back.message}`
  return {
    ...outcome,
    message: `${failure}. ${where}${notes.length ? `; ${notes.join('; ')}` : ''}`
  }
}

export function setOutputs(o: RootOutcome): void {
  core.setOutput('release-id', o.releaseId)
  core.setOutput('deployed-ref', o.deployedRef)
  core.setOutput('previous-ref', o.previousRef)
  core.setOutput('backup-file', o.backupFile)
  core.setOutput('rolled-back', String(o.rolledBack))
}
