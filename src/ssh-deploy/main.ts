import * as core from '@actions/core'
import { escapeHtml, Html, summaryRow } from '../core/html.js'
import { forEachHost } from '../core/fleet.js'
import { StageResult } from '../core/entry.js'
import { registerEnvSecrets, shownValue } from './env-values.js'
import type { DeployPlan, HostReport } from './deploy-host.js'
import { deployFleet, HostResult } from './fleet-deploy.js'
import { lockCommands } from '../commands/lock.js'
import { newLockToken, waitForRunWork } from './lock.js'
import { tagRemoteWork } from '../core/run-tag.js'
import { newReleaseId, ReleaseRecord } from './release-log.js'
import { DeploySettings, LockRelease } from './settings.js'
import { packTree } from './upload-source.js'
import { leftConfigs, removeLeftConfig } from './registry-session.js'

const STATE_TOKEN = 'lock-token'
const STATE_OPEN = 'lock-open'

export interface HostRow {
  host: string
  status: 'succeeded' | 'failed' | 'untouched' | 'rolled-back'
  release: string
  ref: string
  previousRef: string
  changed: boolean
  seconds: number
  /** When its deploy began (ms since the epoch), for the root action's timeline; not in the `hosts` output. */
  startedMs?: number
  error?: string
  /** Another deploy took over this host's deploy lock while this one ran. */
  lockLost?: true
  /** The release the host ran before this run, as its release log said. */
  previousRelease?: string
  /** A rolled-back host: it went back because its own deploy failed. */
  failedFirst?: boolean
  /** What the host runs once this run ended, in words. */
  state?: string
  /** The release it runs once this run ended, when known. */
  runs?: { release: string; ref: string }
}

/** A ref, perhaps read back from a server's release log: a link when it is a commit of this repository. */
function commitLink(s: DeploySettings, ref: string): Html {
  if (!ref) return new Html('')
  return new Html(
    /^[0-9a-f]{40}$/.test(ref) && s.run.repository
      ? `<a href="${s.run.serverUrl}/${s.run.repository}/commit/${ref}"><code>${ref.slice(0, 12)}</code></a>`
      : `<code>${escapeHtml(ref)}</code>`
  )
}

/** Which values the env file was given: vars with their values, env by name only. */
function envFileSummary(s: DeploySettings, rows: readonly HostRow[]): string {
  // A rollback puts back the env file of the release it returns to; a host
  // that failed before changing anything did not get the values.
  if (s.rollbackTo || !s.app.envFile || s.vars.length + s.env.length === 0) return ''
  if (!rows.some(r => r.changed)) return ''
  const code = (text: string) => `<code>${escapeHtml(text)}</code>`
  const parts = [
    s.vars.length > 0 && `vars ${s.vars.map(([k, v]) => code(`${k}=${shownValue(v)}`)).join(' ')}`,
    s.env.length > 0 && `env (secret) ${s.env.map(([k]) => code(k)).join(' ')}`
  ].filter(Boolean)
  return `<p>Set in ${code(s.app.envFile)}: ${parts.join('; ')}.</p>`
}

const RESULT: Record<HostRow['status'], string> = {
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  untouched: '⏸ untouched',
  'rolled-back': '↩ back as before'
}

async function writeSummary(
  s: DeploySettings,
  releaseId: string,
  rows: HostRow[],
  wayBack: boolean
): Promise<void> {
  const failed = rows.filter(r => r.status !== 'succeeded')
  const title = `${s.rollbackTo ? 'Rollback' : 'Deploy'} ${releaseId} ${failed.length ? `failed on ${rows.filter(r => r.status === 'failed' || r.failedFirst).length} of ${rows.length} host(s)` : 'succeeded'}`
  const previous = rows.find(r => r.previousRef)?.previousRef ?? ''
  await core.summary
    .addHeading(title, 2)
    .addTable([
      [
        { data: 'host', header: true },
        { data: 'result', header: true },
        { data: 'ref', header: true },
        { data: 'previous', header: true },
        { data: 'runs now', header: true },
        { data: 'seconds', header: true },
        { data: 'detail', header: true }
      ],
      ...rows.map(r =>
        summaryRow([
          r.host,
          r.status === 'failed'
            ? r.changed
              ? '❌ failed (server changed)'
              : '❌ failed (unchanged)'
            : RESULT[r.status],
          commitLink(s, r.ref),
          commitLink(s, r.previousRef),
          r.state ?? '',
          r.seconds.toFixed(1),
          r.error ?? ''
        ])
      )
    ])
    .addRaw(envFileSummary(s, rows))
    .addRaw(
      // Only after a deploy that went through; after a rollback, "previous" is not the way back.
      wayBack && previous && !s.rollbackTo && failed.length === 0
        ? `<p>To go back: run with <code>rollback-to: previous</code> (${commitLink(s, previous).html}).</p>`
        : ''
    )
    .write()
}

const short = (ref: string) => ref.slice(0, 12)
const named = (release: ReleaseRecord) => `release ${release.id} (${short(release.ref)})`

/** One host's row: how its run went, and what it runs now. */
export function toRow(r: HostResult, releaseId: string, s: Pick<DeploySettings, 'ref'>): HostRow {
  const live = r.preflight?.value?.live
  const report: Partial<HostReport> = r.deploy?.value ?? r.failure ?? {}
  const base = {
    host: r.host,
    release: report.releaseId ?? releaseId,
    ref: report.ref ?? '',
    previousRef: live?.ref ?? report.previousRef ?? '',
    previousRelease: live?.id ?? report.previousRelease ?? '',
    seconds: r.seconds,
    ...(r.startedMs !== undefined ? { startedMs: r.startedMs } : {}),
    ...(report.lockLost ? { lockLost: true as const } : {})
  }
  const before = live ? `still on ${named(live)}` : 'no release deployed there yet'
  const problems = r.preflight?.value?.problems ?? []
  if (!r.preflight || !r.preflight.ok || problems.length > 0) {
    const error = r.preflight?.error ?? (problems.length ? problems.join('; ') : undefined)
    return {
      ...base,
      status: r.preflight ? 'failed' : 'untouched',
      changed: false,
      error,
      state: r.preflight?.ok ? `refused by the check, ${before}` : 'not checked'
    }
  }
  if (!r.deploy || r.deploy.skipped) {
    return {
      ...base,
      status: 'untouched',
      changed: false,
      state: `untouched, ${before}`,
      ...(live ? { runs: { release: live.id, ref: live.ref } } : {})
    }
  }
  const changed = r.deploy.ok || Boolean(report.changed)
  const deployError = r.deploy.error
  if (r.back) {
    const { to, outcome } = r.back
    if (outcome.ok) {
      return {
        ...base,
        status: 'rolled-back',
        changed,
        failedFirst: !r.deploy.ok,
        error: deployError,
        state: `back on ${named(to)}, as before this run`,
        runs: { release: to.id, ref: to.ref }
      }
    }
    return {
      ...base,
      status: 'failed',
      changed: true,
      error: [deployError, `going back to ${named(to)} failed: ${outcome.error}`]
        .filter(Boolean)
        .join('; '),
      state: `changed; going back to ${named(to)} FAILED`
    }
  }
  if (r.deploy.ok) {
    const ref = report.ref ?? s.ref
    return {
      ...base,
      status: 'succeeded',
      changed,
      state: `on release ${base.release} (${short(ref)})`,
      runs: { release: base.release, ref }
    }
  }
  if (report.lockLost) {
    return {
      ...base,
      status: 'failed',
      changed,
      error: deployError,
      state: `${changed ? 'changed' : 'unchanged'}, then taken over by another deploy`
    }
  }
  if (changed) {
    return {
      ...base,
      status: 'failed',
      changed,
      error: deployError,
      state: live
        ? 'changed, failed'
        : 'changed, failed; it had no release before this run to go back to'
    }
  }
  return {
    ...base,
    status: 'failed',
    changed,
    error: deployError,
    state: live ? `unchanged, ${before}` : 'unchanged',
    ...(live ? { runs: { release: live.id, ref: live.ref } } : {})
  }
}

/** A succeeded host that had no release before: nothing to go back to, so it stays on the new one. */
function staysNote(row: HostRow, rows: readonly HostRow[]): string {
  const wentBack = rows.some(r => r.status === 'rolled-back')
  return wentBack && row.status === 'succeeded' && !row.previousRelease
    ? '; it had no release before this run, so it stays on the new one'
    : ''
}

/**
 * The root action holds each host's lock from the first change to the end
 * of its smoke check and any rollback: it runs this stage with its own
 * `lockToken` and `keepLocks`, learns each lock taken through `onLocked`,
 * and frees them itself. With `confirmLater` a ready release stays recorded
 * as started: the root action records it succeeded after its smoke check.
 *
 * `wayBack: false` leaves the "To go back" line and hints out, for a caller
 * that decides after this stage whether the release stays (the root action).
 * `fleetRollback: false` leaves the way back of a failed fleet to the caller
 * too; `backTo` sends only the hosts named, each to its own release.
 */
export async function run(
  s: DeploySettings,
  options: {
    wayBack?: boolean
    beforeStart?: DeployPlan['beforeStart']
    fleetRollback?: boolean
    backTo?: ReadonlyMap<string, string>
    lockToken?: string
    keepLocks?: boolean
    confirmLater?: boolean
    onLocked?: (host: string) => void
  } = {}
): Promise<StageResult & { releaseId: string; rows: HostRow[]; failedOn?: string }> {
  registerEnvSecrets(s.env)
  const releaseId = newReleaseId(new Date(), s.ref || s.run.sha)
  const lockToken = options.lockToken ?? newLockToken()
  core.saveState(STATE_TOKEN, lockToken)
  // Whatever this run starts on a server from now on carries the token: a post step finds it.
  tagRemoteWork(lockToken)
  const rollback = Boolean(s.rollbackTo || options.backTo)
  const packed = s.source === 'upload' && !rollback ? packTree(s.uploadPath) : undefined
  let fleetRun: Awaited<ReturnType<typeof deployFleet>>
  try {
    fleetRun = await deployFleet(
      s,
      {
        releaseId,
        archive: packed?.archive,
        lockToken,
        beforeStart: options.beforeStart,
        wayBack: options.wayBack,
        keepLock: options.keepLocks,
        confirmLater: options.confirmLater,
        onLocked: (_token, host) => {
          core.saveState(STATE_OPEN, 'true')
          options.onLocked?.(host)
        }
      },
      {
        stopAfterFailure: s.fleet.rollback && !rollback,
        goBack: s.fleet.rollback && options.fleetRollback !== false && !rollback,
        backTo: options.backTo
      }
    )
  } finally {
    packed?.cleanup()
  }
  if (!options.keepLocks) locksReleased()

  const rows = fleetRun.results.map(r => toRow(r, releaseId, s))
  const first = rows.find(r => r.status === 'succeeded') ?? rows[0]
  core.setOutput('release-id', releaseId)
  core.setOutput(
    'deployed-ref',
    rows.every(r => r.status === 'succeeded') ? (first?.ref ?? '') : ''
  )
  core.setOutput('previous-ref', first?.previousRef ?? '')
  core.setOutput('hosts', JSON.stringify(rows.map(({ startedMs: _, ...row }) => row)))
  await writeSummary(s, releaseId, rows, options.wayBack ?? true)

  const verb = rollback ? 'Rollback' : 'Deploy'
  if (fleetRun.refused) {
    const refused = rows.filter(r => r.status === 'failed')
    return {
      ok: false,
      releaseId,
      rows,
      message:
        `${verb} refused before any change: ${refused.length} of ${rows.length} host(s) failed the check; no host was changed. ` +
        refused
          .map(r => (r.error?.startsWith(r.host) ? r.error : `${r.host}: ${r.error}`))
          .join('. ')
    }
  }
  const failed = rows.filter(r => r.status !== 'succeeded')
  if (failed.length > 0) {
    const first = rows.filter(r => r.status === 'failed' || r.failedFirst).map(r => r.host)
    const where = rows.map(r => `${r.host}: ${r.state}${staysNote(r, rows)}`)
    const failedOn = `${verb} failed on ${first.join(', ')}`
    return {
      ok: false,
      releaseId,
      rows,
      message: `${failedOn}. Hosts now: ${where.join('; ')}`,
      failedOn
    }
  }
  return {
    ok: true,
    releaseId,
    rows,
    message: `${rollback ? 'Rolled back' : 'Deployed'} ${first?.ref ?? ''} as release ${releaseId} on ${rows.length} host(s)`
  }
}

/** The post step has no lock of this run to release: the main step released every one. */
export function locksReleased(): void {
  core.saveState(STATE_OPEN, 'false')
}

/** The lock token of the main step, while a lock of it may still be held; undefined when none is. */
export function heldLockToken(): string | undefined {
  const token = core.getState(STATE_TOKEN)
  return core.getState(STATE_OPEN) === 'true' && token ? token : undefined
}

/** How long a post step waits for the remote work of a killed main step before it stops it. */
const POST_WAIT_SECONDS = 120

/**
 * Runs after the job, even when it failed or was cancelled: releases a lock
 * this run still holds (a lock from a cancelled job is otherwise only taken
 * over once it goes stale), and removes a registry login it left.
 */
export async function post(readSettings: () => LockRelease): Promise<void> {
  const token = heldLockToken()
  const logins = leftConfigs()
  if (!token && logins.size === 0) return
  const { connection, appDir } = readSettings()
  await forEachHost(connection, async host => {
    const login = logins.get(host.label)
    if (login) await removeLeftConfig(host, login)
    if (!token) return
    // A killed main step's commands may still run there: the lock is theirs until they end.
    await waitForRunWork(host, token, POST_WAIT_SECONDS)
    await host.run(lockCommands.release(appDir, token), { quiet: true })
    host.info('Released the deploy lock left by this run')
  })
}
