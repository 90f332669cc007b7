import { AppSettings, readAppSettings } from '../core/app-settings.js'
import { ConnectionSettings, readConnectionSettings } from '../core/connection-settings.js'
import { InputError } from '../core/errors.js'
import {
  InputReader,
  readBoolean,
  readChoice,
  readDuration,
  readInteger,
  readLines
} from '../core/inputs.js'
import { parseEnvInput } from './env-input.js'
import { FleetSettings, readFleetSettings } from './fleet-settings.js'
import { ImagePin, readImagePins } from './image-pins.js'
import { SourceKind } from './release-log.js'
import {
  readRollingSettings,
  RollingSettings,
  SERVICE_NAME,
  STRATEGIES,
  Strategy
} from './rolling-settings.js'
import { isGitRef } from '../core/git-ref.js'
import { readTarget, readUpdatePolicy, Target } from './swarm/settings.js'
import type { UpdatePolicy } from './swarm/stack-file.js'
import type { RepositoryUrl } from '../commands/git.js'
import { parseRepository, repositorySecrets } from './repository-url.js'
import { isShortSecret, registerSecret, warnShortSecret } from '../core/secrets.js'
import { readRegistryLogin, RegistryLogin } from './registry-settings.js'

/** Who is deploying: from the workflow run, recorded with each release. */
export interface RunContext {
  sha: string
  actor: string
  runUrl: string
  /** Identifies this job's run attempt, so only it releases its own lock. */
  runKey: string
  /** GITHUB_RUN_ATTEMPT: a re-run keeps the run's URL. */
  attempt?: string
  serverUrl: string
  repository: string
}

export interface DeploySettings {
  connection: ConnectionSettings
  app: AppSettings
  /** compose (the default), or swarm: the compose files as a stack on a swarm manager. */
  target: Target
  /** With target swarm: the update policy of a service that sets no update_config. */
  swarmUpdate: UpdatePolicy
  source: SourceKind
  /** Ref to deploy; empty only for source none. */
  ref: string
  /** Clone URL for a server without a clone yet; its credentials apart, never stored there. */
  repository?: RepositoryUrl
  uploadPath: string
  /** `vars`: plain values for the env file, shown in the log and summary, never masked. */
  vars: Array<[string, string]>
  /** `env`: secret values for the env file, masked; only their names are shown. */
  env: Array<[string, string]>
  /** Images pinned by digest, written to the env file with the env values (not secret). */
  images: ImagePin[]
  requiredEnv: string[]
  services: string[]
  strategy: Strategy
  rolling: RollingSettings
  build: boolean
  pull: boolean
  wait: boolean
  waitTimeoutMs: number
  /** How long a container must stay up, without a restart, to count as ready (0: at once). */
  waitStableMs: number
  waitIgnore: string[]
  preDeploy: string
  postDeploy: string
  lock: boolean
  lockTimeoutMs: number
  keepReleases: number
  rollbackTo: string
  /** Deploy a commit older than the live one (an ancestor of it) instead of refusing. */
  allowOlder: boolean
  fleet: FleetSettings
  /** The registry every server logs in to for this deploy only; absent: no login. */
  registry?: RegistryLogin
  run: RunContext
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com'
  const repository = env.GITHUB_REPOSITORY || ''
  const runId = env.GITHUB_RUN_ID || ''
  return {
    sha: env.GITHUB_SHA || '',
    actor: env.GITHUB_ACTOR || '',
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : '',
    runKey: `${repository}#${runId}.${env.GITHUB_RUN_ATTEMPT || '1'}:${env.GITHUB_JOB || ''}`,
    attempt: env.GITHUB_RUN_ATTEMPT || '1',
    serverUrl,
    repository
  }
}

function readEnvPairs(read: InputReader, name: 'env' | 'vars'): Array<[string, string]> {
  return parseEnvInput(read(name, { keepWhitespace: true }), name)
}

/** A key in both would leave it to the order of the lines whether the shown or the secret value wins. */
function refuseKeysInBoth(
  vars: ReadonlyArray<[string, string]>,
  env: ReadonlyArray<[string, string]>
): void {
  const secret = new Set(env.map(([key]) => key))
  const both = [...new Set(vars.map(([key]) => key).filter(key => secret.has(key)))]
  if (both.length > 0) {
    throw new InputError(
      'vars',
      `${both.join(', ')} ${both.length === 1 ? 'is' : 'are'} also set in env`,
      'Give each key once: in vars when the value is plain, in env when it is secret'
    )
  }
}

function readNames(read: InputReader, name: string, pattern: RegExp, what: string): string[] {
  const items = readLines(read, name)
    .flatMap(l => l.split(','))
    .map(s => s.trim())
    .filter(Boolean)
  for (const item of items) {
    if (!pattern.test(item))
      throw new InputError(name, `${JSON.stringify(item)} is not a valid ${what}`)
  }
  return items
}

/** Masks the credentials a clone URL may hold before anything can print them, then checks it. */
function readRepository(read: InputReader): RepositoryUrl | undefined {
  const text = read('repository')
  for (const secret of repositorySecrets(text)) {
    registerSecret(secret)
    if (isShortSecret(secret))
      warnShortSecret(
        'repository: the token or password in the URL',
        'Check the URL: access tokens are much longer.'
      )
  }
  return text.trim() ? parseRepository(text) : undefined
}

/**
 * wait-stable, in ms. A settle time as long as wait-timeout would fail every
 * deploy at the timeout: given so, it is refused; by default it is 5 s, at
 * most half of a short wait-timeout.
 */
function readWaitStable(read: InputReader, wait: boolean, waitTimeoutMs: number): number {
  if (read('wait-stable').trim() === '') return Math.min(5000, Math.floor(waitTimeoutMs / 2))
  const stableMs = readDuration(read, 'wait-stable', 5)
  if (wait && stableMs > 0 && stableMs >= waitTimeoutMs) {
    throw new InputError(
      'wait-stable',
      `${stableMs / 1000}s is not shorter than wait-timeout (${waitTimeoutMs / 1000}s): no container could be ready in time`,
      'Use a few seconds (5), 0 to turn the settle time off, or raise wait-timeout'
    )
  }
  return stableMs
}

/**
 * Reads and checks every deploy input. `connection` is given by a caller
 * that read the connection inputs already (the root action, once per run).
 */
export function readDeploySettings(
  read: InputReader,
  run: RunContext = runContext(),
  connection?: ConnectionSettings
): DeploySettings {
  const repository = readRepository(read)
  const registry = readRegistryLogin(read, run.actor)
  connection ??= readConnectionSettings(read)
  const app = readAppSettings(read)
  const source = readChoice(read, 'source', ['git', 'upload', 'none'] as const, 'git')
  const ref = read('ref').trim() || run.sha
  if (source !== 'none' && !ref) {
    throw new InputError(
      'ref',
      'is empty and GITHUB_SHA is not set',
      'Give the commit, tag or branch to deploy'
    )
  }
  if (ref && !isGitRef(ref)) {
    throw new InputError(
      'ref',
      `${JSON.stringify(ref)} is not a git ref`,
      'Use a commit sha, a tag or a branch name'
    )
  }
  const strategy = readChoice(read, 'strategy', STRATEGIES, 'recreate')
  const services = readNames(read, 'services', SERVICE_NAME, 'service name')
  const rolling = readRollingSettings(read, strategy, services)
  const vars = readEnvPairs(read, 'vars')
  const env = readEnvPairs(read, 'env')
  refuseKeysInBoth(vars, env)
  const images = readImagePins(read)
  if (images.length > 0 && !app.envFile) {
    throw new InputError(
      'images',
      'needs env-file: the digests are written there as NAME_IMAGE variables',
      'Set env-file (e.g. .env) and use image: ${NAME_IMAGE} in the compose file'
    )
  }
  const wait = readBoolean(read, 'wait', true)
  const waitTimeoutMs = readDuration(read, 'wait-timeout', 300)
  const rollbackTo = read('rollback-to').trim()
  if (rollbackTo && !isGitRef(rollbackTo)) {
    throw new InputError(
      'rollback-to',
      `${JSON.stringify(rollbackTo)} is not previous, a release id or a ref`
    )
  }
  const build = readBoolean(read, 'build', false)
  const target = readTarget(read, {
    hosts: connection.targets.length,
    strategy,
    build,
    services
  })
  return {
    connection,
    app,
    target,
    swarmUpdate: readUpdatePolicy(read, target),
    source,
    ref: source === 'none' ? read('ref').trim() || run.sha : ref,
    repository,
    uploadPath: read('upload-path').trim() || '.',
    vars,
    env,
    images,
    requiredEnv: readNames(read, 'required-env', /^[A-Za-z_][A-Za-z0-9_]*$/, 'variable name'),
    services,
    strategy,
    rolling,
    build,
    pull: readBoolean(read, 'pull', false),
    wait,
    waitTimeoutMs,
    waitStableMs: readWaitStable(read, wait, waitTimeoutMs),
    waitIgnore: readNames(read, 'wait-ignore', SERVICE_NAME, 'service name'),
    preDeploy: read('pre-deploy'),
    postDeploy: read('post-deploy'),
    lock: readBoolean(read, 'lock', true),
    lockTimeoutMs: readDuration(read, 'lock-timeout', 600),
    keepReleases: readInteger(read, 'keep-releases', 5, 1, 100),
    rollbackTo,
    allowOlder: readBoolean(read, 'allow-older', false),
    fleet: readFleetSettings(read, connection.targets.length),
    registry,
    run
  }
}

/**
 * A rollback deploys a release as it was recorded: none of this run's env
 * values, pins, checks or hooks go with it.
 */
export function rollbackSettings(deploy: DeploySettings, rollbackTo: string): DeploySettings {
  return {
    ...deploy,
    rollbackTo,
    vars: [],
    env: [],
    images: [],
    requiredEnv: [],
    preDeploy: '',
    postDeploy: ''
  }
}

/** What the post step needs to release a lock this run left: the hosts and the app directory. */
export interface LockRelease {
  connection: ConnectionSettings
  appDir: string
}

export function readLockRelease(read: InputReader): LockRelease {
  return {
    connection: readConnectionSettings(read),
    appDir: read('app-dir').trim().replace(/\/+$/, '')
  }
}
