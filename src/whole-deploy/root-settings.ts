import * as core from '@actions/core'
import { CollectstaticSettings, readCollectstaticSettings } from '../collectstatic/settings.js'
import { InputError } from '../core/errors.js'
import { InputReader, readBoolean } from '../core/inputs.js'
import { MigrateSettings, readMigrateSettings } from '../migrate/settings.js'
import { readSmokeCheckSettings, SmokeCheckSettings } from '../smoke-check/settings.js'
import { DeploySettings, readDeploySettings, rollbackSettings } from '../ssh-deploy/settings.js'
import { DeploymentRequest } from './github-deployment.js'
import { collectstaticReader, migrateReader, smokeReader } from './stage-inputs.js'

/** Every stage of the root action with its settings; a stage left out is not planned. */
export interface RootSettings {
  deploy: DeploySettings
  /** The migration up; absent with migrate-tool: none. */
  migrate?: MigrateSettings
  /** The migration runs once the new images are ready, before any container changes. */
  migrateBeforeStart: boolean
  /** What automatic rollback migrates down with; absent when nothing says how far. */
  migrateDown?: MigrateSettings
  collectstatic?: CollectstaticSettings
  smoke?: SmokeCheckSettings
  /** The deploy that takes the hosts back to the previous release. */
  rollback: DeploySettings
  autoRollback: boolean
  deployment: DeploymentRequest
}

/**
 * The rollback deploys the previous release as it was recorded: none of
 * this run's env values, pins, checks or hooks go with it.
 */
export function rollbackDeploySettings(deploy: DeploySettings): DeploySettings {
  return rollbackSettings(deploy, 'previous')
}

function refuseMigrateBeforeStart(tool: string, read: InputReader): void {
  if (tool !== 'none' && (tool === 'service' || (read('migrate-mode').trim() || 'exec') === 'run'))
    return
  throw new InputError(
    'migrate-before-start',
    tool === 'none'
      ? 'is true, but migrate-tool is none'
      : 'needs migrate-mode: run: before the start there is no container of the new release to exec into',
    'Set migrate-mode: run (a one-off container of the new image), or migrate-before-start: false'
  )
}

/**
 * With target: swarm the migration runs in a one-off container of the stack
 * service's image on the manager, after the stack converged; what needs a
 * Compose project on the host is refused.
 */
function refuseOnSwarm(read: InputReader, tool: string, collectstatic: boolean): void {
  const refuse = (input: string, why: string, hint: string): never => {
    throw new InputError(input, why, hint)
  }
  if (collectstatic)
    refuse(
      'collectstatic',
      'is true, and the collectstatic stage cannot run with target: swarm yet',
      'Collect the static files into the image when it is built, and leave collectstatic out'
    )
  if (tool === 'none') return
  if (read('migrate-mode').trim() === 'exec')
    refuse(
      'migrate-mode',
      'is exec, and with target: swarm the migration runs in a one-off container of the new image',
      'Leave migrate-mode out, or set run'
    )
  if (readBoolean(read, 'migrate-before-start', false))
    refuse(
      'migrate-before-start',
      'cannot be used with target: swarm yet: the migration runs once the stack converged',
      'Leave it out, or make the new release work with the schema before and after'
    )
  if ((read('backup').trim() || 'none') !== 'none') {
    if (read('backup-service').trim())
      refuse(
        'backup-service',
        "cannot be used with target: swarm: a stack service's container may run on any node",
        'Give backup-database-url instead: pg_dump runs on the manager against it'
      )
    if (!read('backup-database-url').trim())
      refuse(
        'backup',
        'is pg_dump, and with target: swarm the dump needs backup-database-url',
        'Give backup-database-url (from a secret): pg_dump runs on the manager against it'
      )
  }
  if (readBoolean(read, 'restore-on-failure', false))
    refuse(
      'restore-on-failure',
      'cannot be used with target: swarm yet',
      'Leave it out: the dump taken before the migration is named in the error, with the command that restores it'
    )
}

/**
 * Reads and checks every stage's inputs once, before the first server is
 * touched. The connection inputs are read once (the key file, the host-key
 * warning) and shared by every stage.
 */
export function readRootSettings(read: InputReader): RootSettings {
  const deploy = readDeploySettings(read)
  if (read('rollback-to').trim()) {
    throw new InputError(
      'rollback-to',
      'is for the ssh-deploy action or the rollback workflow',
      'Use org/deploy-kit/ssh-deploy@v1 with rollback-to, or .github/workflows/rollback.yml'
    )
  }
  const { connection } = deploy
  const tool = read('migrate-tool').trim() || 'none'
  const migrateBeforeStart = readBoolean(read, 'migrate-before-start', false)
  const collectstatic = readBoolean(read, 'collectstatic', false)
  if (deploy.target === 'swarm') refuseOnSwarm(read, tool, collectstatic)
  const smoke = read('smoke-urls').trim() !== ''
  const autoRollback = readBoolean(read, 'auto-rollback', true)
  if (migrateBeforeStart) refuseMigrateBeforeStart(tool, read)
  const onStack = deploy.target === 'swarm' ? { swarm: { source: deploy.source } } : {}
  const migrate =
    tool === 'none'
      ? undefined
      : { ...readMigrateSettings(migrateReader(read), connection), ...onStack }
  const canMigrateDown =
    read('migrate-down-target').trim() !== '' ||
    (tool === 'command' && read('migrate-down-command').trim() !== '')
  const migrateDown =
    migrate && canMigrateDown
      ? { ...readMigrateSettings(migrateReader(read, 'down'), connection), ...onStack }
      : undefined
  if (migrateDown && autoRollback && !migrateDown.backup)
    core.warning(
      'backup is none: if this deploy is rolled back, its down-migration runs with no backup of the database taken before it. Set backup: pg_dump to have one, proven by a restore'
    )
  return {
    deploy,
    migrate,
    migrateBeforeStart,
    migrateDown,
    collectstatic: collectstatic
      ? readCollectstaticSettings(collectstaticReader(read), connection)
      : undefined,
    smoke: smoke ? readSmokeCheckSettings(smokeReader(read), connection) : undefined,
    rollback: rollbackDeploySettings(deploy),
    autoRollback,
    deployment: {
      token: read('github-token').trim(),
      ref: deploy.ref,
      environment: read('environment').trim() || 'production',
      url: read('environment-url').trim(),
      logUrl: deploy.run.runUrl,
      description: 'deploy-kit'
    }
  }
}
