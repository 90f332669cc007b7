import * as core from '@actions/core'
import { logRemote } from '../core/log.js'
import { debugLine } from '../core/debug-log.js'
import { Fleet, FleetMember, HostContext, HostOutcome } from '../core/fleet.js'
import { deployHost, DeployFailure, DeployPlan, HostReport } from './deploy-host.js'
import { Preflight, preflightHost } from './host-deploy/preflight.js'
import { newReleaseId, ReleaseRecord } from './release-log.js'
import { DeploySettings, rollbackSettings } from './settings.js'
import { FleetLogin, logInFleet } from './registry-fleet.js'
import { waitForRunWork } from './lock.js'

/** How one host of the run ended. */
export interface HostResult {
  host: string
  /** What the check before any change found; absent when the host was not checked. */
  preflight?: HostOutcome<Preflight>
  /** This run's deploy there; absent when it did not start (`skipped` when the run stopped first). */
  deploy?: HostOutcome<HostReport>
  /** What a failed deploy had reported. */
  failure?: Partial<HostReport>
  /** The way back to the release the host ran before this run, when it had to go back. */
  back?: { to: ReleaseRecord; outcome: HostOutcome<HostReport>; failure?: Partial<HostReport> }
  seconds: number
  /** When its deploy began (ms since the epoch): a canary's other hosts begin later. */
  startedMs?: number
}

export interface FleetRunOptions {
  /** Once a host fails, no further host starts. */
  stopAfterFailure: boolean
  /** Once a host fails, every host this run changed goes back to the release it ran before. */
  goBack: boolean
  /** Only these hosts, each back to the release id named (the root action's way back). */
  backTo?: ReadonlyMap<string, string>
}

/** The hosts of the run in their batches: the canary hosts alone first, then the rest. */
function batches<T>(members: readonly T[], canary: number): T[][] {
  return canary > 0 && canary < members.length
    ? [members.slice(0, canary), members.slice(canary)]
    : [[...members]]
}

function outcomesFailed(results: ReadonlyMap<string, HostResult>): boolean {
  return [...results.values()].some(r => r.deploy && !r.deploy.ok && !r.deploy.skipped)
}

/** Whether the host has to go back: this run changed it, and no other deploy took it over. */
function changedByThisRun(r: HostResult): boolean {
  if (!r.deploy || r.deploy.skipped) return false
  if (r.deploy.ok) return true
  return Boolean(r.failure?.changed) && !r.failure?.lockLost
}

/**
 * Checks every host, then deploys batch by batch; if a host fails and the run
 * is all-or-nothing, every host it changed goes back to its own previous release.
 */
export async function deployFleet(
  s: DeploySettings,
  plan: DeployPlan,
  opts: FleetRunOptions
): Promise<{ refused: boolean; results: HostResult[] }> {
  const fleet = await Fleet.open(s.connection)
  let registry: FleetLogin | undefined
  try {
    const members = opts.backTo
      ? fleet.members.filter(m => opts.backTo!.has(m.label))
      : fleet.members
    const results = new Map<string, HostResult>(
      members.map(m => [m.label, { host: m.label, seconds: 0 }])
    )
    const checked = await core.group('Preflight: checking every host before any change', () =>
      fleet.each(members, host => preflightHost(host, s))
    )
    for (const c of checked) results.get(c.host)!.preflight = c
    const refused = checked.some(c => !c.ok || c.value!.problems.length > 0)
    if (refused) return { refused, results: [...results.values()] }

    const checks = new Map(checked.map(c => [c.host, c.value!]))
    registry = await logInFleet(fleet, members, s.registry, checks)
    if (!registry.ok) return { refused: true, results: [...results.values()] }
    const configs = registry.configs
    const deployOne =
      (settings: DeploySettings, p: DeployPlan, title: string) =>
      async (host: HostContext): Promise<HostReport> => {
        const started = Date.now()
        const result = results.get(host.label)!
        result.startedMs ??= started
        try {
          return await core.group(`${host.label}: ${title}`, () =>
            deployHost(host, settings, p, checks.get(host.label)?.binary, configs.get(host.label))
          )
        } catch (err) {
          if (err instanceof DeployFailure) {
            if (result.deploy) result.back!.failure = err.report
            else result.failure = err.report
          }
          throw err
        } finally {
          result.seconds += (Date.now() - started) / 1000
        }
      }

    let failed = false
    // A way back goes to every host at once: a canary there would leave the rest where they are.
    const canaryCount = opts.backTo || s.rollbackTo ? 0 : s.fleet.canary
    const inBatches = batches(members, canaryCount)
    for (const [i, batch] of inBatches.entries()) {
      const kind = inBatches.length === 1 ? 'every host' : i === 0 ? 'canary' : 'the rest'
      debugLine(
        `batch ${i + 1} of ${inBatches.length} (${kind}): ${batch.map(m => m.label).join(', ')}`
      )
      if (failed) {
        for (const m of batch)
          results.get(m.label)!.deploy = { host: m.label, ok: false, skipped: true }
        continue
      }
      const outcomes = await fleet.each(
        batch,
        async host => {
          const target = opts.backTo?.get(host.label)
          const verb = s.rollbackTo || target ? 'rollback' : 'deploy'
          if (target) await leftWorkEnded(host, plan)
          return deployOne(
            target ? { ...s, rollbackTo: target } : s,
            plan,
            `${verb} ${plan.releaseId}`
          )(host)
        },
        { stopAfterFailure: opts.stopAfterFailure }
      )
      for (const o of outcomes) results.get(o.host)!.deploy = o
      // A canary that failed keeps the rest from starting, all-or-nothing or not.
      const canary = i === 0 && canaryCount > 0
      failed = outcomes.some(o => !o.ok) && (opts.stopAfterFailure || canary)
    }
    if (opts.goBack && outcomesFailed(results))
      await goBack(fleet, [...results.values()], checks, deployOne, s, plan)
    return { refused, results: [...results.values()] }
  } finally {
    await registry?.logOut()
    await fleet.close()
  }
}

/** How long a host's way back waits for this run's work left there by a lost connection. */
const LEFT_WORK_SECONDS = 120

/**
 * Before a host goes back, a command of this run whose connection was lost
 * (sshd gone during `compose up`) may still run there: it ends first, or the
 * way back's `up` would race it for the same containers.
 */
async function leftWorkEnded(host: HostContext, plan: DeployPlan): Promise<void> {
  if (plan.lockToken) await waitForRunWork(host, plan.lockToken, LEFT_WORK_SECONDS)
}

/** Every host this run changed goes back to the release it ran before, as its own log said at the check. */
async function goBack(
  fleet: Fleet,
  results: HostResult[],
  checks: ReadonlyMap<string, Preflight>,
  deployOne: (
    s: DeploySettings,
    p: DeployPlan,
    title: string
  ) => (host: HostContext) => Promise<HostReport>,
  s: DeploySettings,
  plan: DeployPlan
): Promise<void> {
  const targets = new Map<string, ReleaseRecord>()
  for (const r of results) {
    const live = checks.get(r.host)?.live
    if (changedByThisRun(r) && live) targets.set(r.host, live)
  }
  const failedOn = results.filter(r => r.deploy && !r.deploy.ok && !r.deploy.skipped)
  for (const r of results) {
    const to = targets.get(r.host)
    const where = to
      ? `goes back to release ${to.id} (${to.ref}), the live one at the check`
      : changedByThisRun(r)
        ? 'stays: it had no release before this run'
        : 'stays as it is: this run did not change it'
    debugLine(
      `way back (${failedOn.map(f => f.host).join(', ')} failed, all-or-nothing): ${r.host} ${where}`
    )
  }
  if (targets.size === 0) return
  const members: FleetMember[] = fleet.members.filter(m => targets.has(m.label))
  logRemote(
    `A host failed: ${members.map(m => `${m.label} goes back to release ${targets.get(m.label)!.id}`).join('; ')}`
  )
  const outcomes = await fleet.each(members, async host => {
    const to = targets.get(host.label)!
    const result = results.find(r => r.host === host.label)!
    result.back = { to, outcome: { host: host.label, ok: false } }
    await leftWorkEnded(host, plan)
    // As the root action's rollback: the release as it was recorded, none of this run's values or hooks.
    const back = rollbackSettings(s, to.id)
    return deployOne(
      back,
      {
        releaseId: newReleaseId(new Date(), to.ref),
        lockToken: plan.lockToken,
        onLocked: plan.onLocked,
        keepLock: plan.keepLock,
        wayBack: false
      },
      // The release id and ref come from the server's log: data for the log, never a group title.
      'back to the release it ran before'
    )(host)
  })
  for (const o of outcomes) results.find(r => r.host === o.host)!.back!.outcome = o
}
