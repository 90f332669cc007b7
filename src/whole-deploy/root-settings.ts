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
 * The migrate and collectstatic stages run Compose on the host; a stack's
 * containers are the engine's, on any node.
 */
function refuseOnSwarm(tool: string, collectstatic: boolean): void {
  if (tool !== 'none')
    throw new InputError(
      'migrate-tool',
      `is ${tool}, and the migrate stage cannot run with target: swarm yet`,
      'Leave migrate-tool out and give the stack a one-shot migration service (deploy: mode: replicated-job): the deploy waits for it and fails on its non-zero exit'
    )
  if (collectstatic)
    throw new InputError(
      'collectstatic',
      'is true, and the collectstatic stage cannot run with target: swarm yet',
      'Collect the static files into the image when it is built, and leave collectstatic out'
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
  if (deploy.target === 'swarm') refuseOnSwarm(tool, collectstatic)
  const smoke = read('smoke-urls').trim() !== ''
  const autoRollback = readBoolean(read, 'auto-rollback', true)
  if (migrateBeforeStart) refuseMigrateBeforeStart(tool, read)
  const migrate = tool === 'none' ? undefined : readMigrateSettings(migrateReader(read), connection)
  const canMigrateDown =
    read('migrate-down-target').trim() !== '' ||
    (tool === 'command' && read('migrate-down-command').trim() !== '')
  const migrateDown =
    migrate && canMigrateDown
      ? readMigrateSettings(migrateReader(read, 'down'), connection)
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
