import * as core from '@actions/core'
import { posix } from 'node:path'
import { detectCompose, projectFor } from '../core/compose.js'
import { errorMessage } from '../core/errors.js'
import type { HostContext } from '../core/fleet.js'
import {
  imagesOf,
  keepImages,
  listContainers,
  pruneImages,
  restoreImages,
  waitUntilReady
} from './containers.js'
import { envDialect, missingEnv, mergeEnv } from './env-file.js'
import { describeEnvValues, envFileUpdates, shownValue } from './env-values.js'
import { isGitRef } from './git-ref.js'
import { checkoutCommit, fetchCommit, prepareClone } from './git-source.js'
import { DeployLock, LockLost } from './lock.js'
import {
  currentRelease,
  findRollbackTarget,
  parseReleaseLog,
  ReleaseRecord,
  ServiceImage
} from './release-log.js'
import { fileCommands } from '../commands/files.js'
import { planRolling } from './rolling.js'
import { ancestryCommand } from '../commands/git.js'
import {
  AncestryFacts,
  decideOrder,
  liveCommit,
  orderVerdict,
  parseAncestry,
  ReleaseOrder,
  runnerAncestry
} from './release-order.js'
import { DeploySettings } from './settings.js'
import { statePaths } from './state-paths.js'
import { updateServices } from './update-services.js'
import { uploadCommands } from '../commands/upload.js'
import { pruneReleases, uploadRelease } from './upload-source.js'

/** What one deploy run does, the same for every host. */
export interface DeployPlan {
  releaseId: string
  /** Packed tree for source upload. */
  archive?: string
  /** Called once the lock is held, so a cancelled job's post step can release it. */
  onLocked?: (token: string) => void
  lockToken: string
  /** false: the caller decides the way back (the root action), so no hint names one. */
  wayBack?: boolean
  /** Runs on each host once the new images are ready, before any container changes. */
  beforeStart?: (host: HostContext) => Promise<void>
}

export interface HostReport {
  releaseId: string
  ref: string
  previousRef: string
  previousRelease: string
  /** True once anything the running app depends on was changed. */
  changed: boolean
  rollbackOf?: string
  /** Another deploy took the lock over while this one ran: the server is that deploy's now. */
  lockLost?: boolean
}

/** An error after the server was changed: says what state the host is left in. */
export class DeployFailure extends Error {
  constructor(
    message: string,
    readonly report: Partial<HostReport>
  ) {
    super(message)
  }
}

async function appendRecord(
  host: HostContext,
  appDir: string,
  record: Partial<ReleaseRecord> & { id: string }
): Promise<void> {
  await host.check(fileCommands.append(statePaths(appDir).log, JSON.stringify(record) + '\n'), {
    quiet: true
  })
}

async function runHook(
  host: HostContext,
  name: string,
  dir: string,
  script: string
): Promise<void> {
  if (!script.trim()) return
  host.info(`Running ${name}`)
  const result = await host.run(fileCommands.runScript(dir, script), { quiet: false })
  if (result.code !== 0)
    throw new Error(`${name} failed with exit code ${result.code ?? result.signal}`)
}

/** Deploys (or rolls back) one host. Takes the lock, stages the source, then changes the app. */
export async function deployHost(
  host: HostContext,
  s: DeploySettings,
  plan: DeployPlan
): Promise<HostReport> {
  const { appDir } = s.app
  const paths = statePaths(appDir)
  const binary = await detectCompose(host, s.app.composeChoice)
  host.info(`Compose: ${binary.join(' ')}`)
  const lock = s.lock
    ? await DeployLock.acquire(
        host,
        appDir,
        {
          token: plan.lockToken,
          runKey: s.run.runKey,
          runUrl: s.run.runUrl,
          release: plan.releaseId,
          since: new Date().toISOString()
        },
        s.lockTimeoutMs
      )
    : undefined
  if (lock) plan.onLocked?.(lock.token)
  const progress: Progress = { begun: [], containers: false }
  const step: Step = async (next, opts = {}) => {
    await lock?.ensureHeld(next)
    progress.begun.push(next)
    if (opts.containers) progress.containers = true
  }
  try {
    return await deployLocked(host, s, plan, binary, paths, step, progress)
  } catch (err) {
    if (err instanceof LockLost) throw lockLostFailure(err, plan, progress)
    throw err
  } finally {
    await lock
      ?.release()
      .catch(err =>
        core.warning(`${host.label}: could not release the deploy lock: ${errorMessage(err)}`)
      )
  }
}

/** What this run changed on a host so far, for the message when it has to stop half-way. */
interface Progress {
  /** Each change begun, in order; the last may be partial. */
  begun: string[]
  /** The containers were being changed to this release. */
  containers: boolean
  live?: ReleaseRecord
  report?: HostReport
}

/**
 * Called right before each change on the server: checks that this run still
 * holds the deploy lock (throws LockLost if not), then records the change as begun.
 */
type Step = (next: string, opts?: { containers?: boolean }) => Promise<void>

/** Another deploy holds the lock now: say what this run changed and what runs, and change nothing more. */
function lockLostFailure(err: LockLost, plan: DeployPlan, progress: Progress): DeployFailure {
  const { begun, live, report } = progress
  const done = begun.length
    ? `This run had begun: ${begun.join('; ')}`
    : 'This run had changed nothing'
  const ref = report?.ref ? ` (${report.ref.slice(0, 12)})` : ''
  const good = live ? `release ${live.id} (${live.ref.slice(0, 12)})` : undefined
  const running = progress.containers
    ? `the containers may run release ${plan.releaseId}${ref}, recorded as started, not succeeded` +
      (good ? `; the last release recorded as succeeded is ${good}` : '')
    : good
      ? `the app still runs ${good}`
      : 'no release had succeeded on this host before'
  return new DeployFailure(
    `${err.message}. ${done}; ${running}. This run changes nothing more there: the deploy holding the lock decides what runs`,
    { ...report, changed: begun.length > 0, lockLost: true }
  )
}

async function deployLocked(
  host: HostContext,
  s: DeploySettings,
  plan: DeployPlan,
  binary: readonly string[],
  paths: ReturnType<typeof statePaths>,
  step: Step,
  progress: Progress
): Promise<HostReport> {
  const { appDir } = s.app
  const records = parseReleaseLog(
    (await host.check(fileCommands.read(paths.log), { quiet: true })).stdout
  )
  const live = currentRelease(records)
  progress.live = live
  let target: ReleaseRecord | undefined
  if (s.rollbackTo) {
    target = findRollbackTarget(records, s.rollbackTo)
    if (!target) {
      const known = records
        .filter(r => r.status === 'succeeded')
        .map(r => `${r.id} (${r.ref.slice(0, 12)})`)
      throw new Error(
        `nothing to roll back to for rollback-to: ${s.rollbackTo}. ` +
          (known.length
            ? `Succeeded releases on this host: ${known.join(', ')}`
            : 'This host has no succeeded release in its log')
      )
    }
    refuseForgedRef(target, paths.log)
    host.info(`Rolling back to release ${target.id} (${target.ref})`)
  }
  const report: HostReport = {
    releaseId: plan.releaseId,
    ref: target?.ref ?? s.ref,
    previousRef: live?.ref ?? '',
    previousRelease: live?.id ?? '',
    changed: false,
    rollbackOf: target?.id
  }
  progress.report = report
  // A rollback goes back on purpose; a deploy must not go back by accident.
  const liveToCompare = !target && s.source !== 'none' ? live : undefined

  // Everything that can fail without changing the app happens first.
  const envPath = s.app.envFile ? posix.join(appDir, s.app.envFile) : undefined
  const dialect = envDialect(binary)
  let envText: string | undefined
  let restoredEnv = false
  if (envPath) {
    const before = (await host.check(fileCommands.read(envPath), { quiet: true })).stdout
    const snapshot = target
      ? await host.run(fileCommands.read(paths.envSnapshot(target.id)), { quiet: true })
      : undefined
    restoredEnv = Boolean(snapshot?.stdout)
    envText = snapshot?.stdout ? snapshot.stdout : mergeEnv(before, envFileUpdates(s), dialect)
  } else if (s.vars.length > 0 || s.env.length > 0 || s.requiredEnv.length > 0) {
    throw new Error(
      'vars, env and required-env need env-file: the file on the server to write and check'
    )
  }
  const missing = missingEnv(envText ?? '', s.requiredEnv, dialect)
  if (missing.length > 0) {
    throw new Error(
      `required-env: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing or empty in ${envPath}; nothing was changed`
    )
  }

  const rollingPlan =
    s.strategy === 'rolling'
      ? await planRolling(host, s.app.projectName, s).catch((err: unknown) => {
          throw new Error(`${errorMessage(err)} — nothing was changed`)
        })
      : undefined

  if (liveToCompare && s.source === 'upload') {
    await judgeOrder(host, s, liveToCompare, `the runner's checkout (${s.uploadPath})`, async sha =>
      runnerAncestry(s.uploadPath, s.ref, sha)
    )
  }

  let releaseDir = appDir
  let restoreHead: string | undefined
  if (s.source === 'git') {
    const clone = await prepareClone(host, appDir, s.repository)
    restoreHead = clone.head
    const sha = await fetchCommit(host, appDir, report.ref, clone.credentials)
    report.ref = sha
    if (liveToCompare) {
      await judgeOrder(host, s, liveToCompare, `the clone in ${appDir}`, async live =>
        parseAncestry(
          (await host.check(ancestryCommand(appDir, sha, live), { quiet: true })).stdout
        )
      )
    }
    await step(`checking out ${sha.slice(0, 12)} in ${appDir}`)
    await checkoutCommit(host, appDir, sha, plan.releaseId)
  } else if (s.source === 'upload') {
    if (target) {
      const dir = posix.join(paths.releases, target.id)
      if ((await host.run(uploadCommands.exists(dir), { quiet: true })).code !== 0) {
        throw new Error(
          `release ${target.id} is no longer on the server (only the last keep-releases are kept)`
        )
      }
      releaseDir = dir
    } else {
      await step(`uploading release ${plan.releaseId} to ${paths.releases}`)
      releaseDir = await uploadRelease(host, appDir, plan.releaseId, plan.archive as string)
    }
  }

  if (s.preDeploy.trim()) await step('running pre-deploy')
  try {
    await runHook(host, 'pre-deploy', releaseDir, s.preDeploy)
  } catch (err) {
    if (restoreHead)
      await host.run(
        { argv: ['git', '-C', appDir, 'checkout', '--force', '--detach', restoreHead] },
        { quiet: true }
      )
    throw new Error(
      `${errorMessage(err)}; nothing was changed${restoreHead ? ` (the clone is back at ${restoreHead.slice(0, 12)})` : ''}`
    )
  }

  const started = new Date().toISOString()
  const base = {
    id: plan.releaseId,
    ref: report.ref,
    source: s.source,
    actor: s.run.actor,
    runUrl: s.run.runUrl,
    startedAt: started,
    rollbackOf: target?.id
  }
  await step(`recording release ${plan.releaseId} as started in ${paths.log}`)
  await appendRecord(host, appDir, {
    ...base,
    status: 'started',
    releaseDir:
      s.source === 'upload' ? posix.join(paths.releases, target?.id ?? plan.releaseId) : appDir
  })
  report.changed = s.source === 'git'
  try {
    if (envPath && envText !== undefined) {
      await step(`writing ${envPath}`)
      await host.check(
        fileCommands.writePrivate(envPath, paths.envSnapshot(plan.releaseId), envText),
        { quiet: true }
      )
      const given = describeEnvValues(s)
      host.info(
        `Env file ${envPath} ${restoredEnv ? `restored from release ${target?.id}` : `written${given ? ` (${given})` : ''}`}; the old one is ${envPath}.bak`
      )
      for (const pin of target ? [] : s.images) host.info(`Pinned ${pin.variable}=${pin.ref}`)
      report.changed = true
    }
    if (s.source === 'upload') {
      await step(`switching ${paths.current} to release ${target?.id ?? plan.releaseId}`)
      await host.check(uploadCommands.switchCurrent(appDir, target?.id ?? plan.releaseId))
      report.changed = true
    }
    const project = projectFor(s.app, binary, s.source === 'upload' ? paths.current : appDir)
    const restored = target?.images ? await restoreImages(host, target.images) : false
    if (target && !restored)
      host.info(
        'Images of that release are not all on the server any more; building or pulling them again'
      )
    const beforeStart = plan.beforeStart
    await step(`updating the containers to release ${plan.releaseId}`, { containers: true })
    await updateServices(host, project, s, restored, {
      rollingPlan,
      beforeStart:
        beforeStart &&
        (async () => {
          await step('migrating before the start')
          await beforeStart(host)
        }),
      beforeEach: service => step(`updating ${service}`, { containers: true })
    })
    report.changed = true
    const containers = s.wait
      ? await waitUntilReady(host, project, s.services, s.waitTimeoutMs, s.waitIgnore)
      : await listContainers(host, project, s.services)
    if (s.postDeploy.trim()) await step('running post-deploy')
    await runHook(host, 'post-deploy', s.source === 'upload' ? paths.current : appDir, s.postDeploy)
    await step(`recording release ${plan.releaseId} as succeeded`)

    const images: Record<string, ServiceImage> = {
      ...(live?.images ?? {}),
      ...imagesOf(containers)
    }
    await keepImages(host, s.app.projectName, plan.releaseId, images)
    await appendRecord(host, appDir, {
      id: plan.releaseId,
      images,
      status: 'succeeded',
      finishedAt: new Date().toISOString()
    })
    if (target && live) await appendRecord(host, appDir, { id: live.id, status: 'rolled-back' })
    const kept = parseReleaseLog(
      (await host.check(fileCommands.read(paths.log), { quiet: true })).stdout
    )
      .filter(r => r.status === 'succeeded')
      .slice(-s.keepReleases)
      .map(r => r.id)
    await pruneImages(host, s.app.projectName, kept)
    if (s.source === 'upload')
      await pruneReleases(host, appDir, s.keepReleases, target?.id ?? plan.releaseId)
    return report
  } catch (err) {
    if (err instanceof LockLost) throw err // the release log is the other deploy's now
    const message = errorMessage(err)
    await appendRecord(host, appDir, {
      id: plan.releaseId,
      status: 'failed',
      finishedAt: new Date().toISOString(),
      error: message.slice(0, 500)
    }).catch(() => undefined)
    const state = report.changed
      ? `the server was changed and may be half-deployed: release ${plan.releaseId} is recorded as failed` +
        (live
          ? `; the last good release is ${live.id} (${live.ref.slice(0, 12)})` +
            (plan.wayBack === false ? '' : ', restore it with rollback-to: previous')
          : '')
      : 'nothing was changed'
    throw new DeployFailure(`${message} — ${state}`, report)
  }
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

/**
 * Refuses a commit older than the live one unless allow-older, asking the
 * repository at `where` through `ask`; logs the order, or why it is unknown.
 */
async function judgeOrder(
  host: HostContext,
  s: DeploySettings,
  live: ReleaseRecord,
  where: string,
  ask: (liveSha: string) => Promise<AncestryFacts>
): Promise<void> {
  const liveSha = liveCommit(live)
  const facts = liveSha ? await ask(liveSha) : undefined
  const candidate =
    facts?.candidate && facts.candidate !== s.ref ? `${s.ref} (${facts.candidate})` : s.ref
  const order: ReleaseOrder = facts
    ? decideOrder(facts, { candidate: s.ref, live: live.ref })
    : {
        kind: 'unknown',
        reason: `has no commit to compare with: the live release is recorded as ${shownValue(live.ref)}, not as a commit id`
      }
  const verdict = orderVerdict(order, candidate, live, s.allowOlder, where)
  if (verdict.refusal) throw new Error(verdict.refusal)
  const hint =
    order.kind === 'unknown' && s.source === 'upload'
      ? ' (with the history on the runner, e.g. actions/checkout with fetch-depth: 0, it is checked)'
      : ''
  if (verdict.note) host.info(verdict.note + hint)
}
