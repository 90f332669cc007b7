import * as core from '@actions/core'
import { escapeHtml, Html, summaryRow } from '../core/html.js'
import { forEachHost, HostOutcome } from '../core/fleet.js'
import { StageResult } from '../core/entry.js'
import { registerEnvSecrets, shownValue } from './env-values.js'
import { deployHost, DeployFailure, DeployPlan, HostReport } from './deploy-host.js'
import { lockCommands } from '../commands/lock.js'
import { newLockToken } from './lock.js'
import { newReleaseId } from './release-log.js'
import { DeploySettings, LockRelease } from './settings.js'
import { packTree } from './upload-source.js'

const STATE_TOKEN = 'lock-token'
const STATE_OPEN = 'lock-open'

export interface HostRow {
  host: string
  status: 'succeeded' | 'failed'
  release: string
  ref: string
  previousRef: string
  changed: boolean
  seconds: number
  error?: string
  /** Another deploy took over this host's deploy lock while this one ran. */
  lockLost?: true
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

async function writeSummary(
  s: DeploySettings,
  releaseId: string,
  rows: HostRow[],
  wayBack: boolean
): Promise<void> {
  const failed = rows.filter(r => r.status === 'failed')
  const title = `${s.rollbackTo ? 'Rollback' : 'Deploy'} ${releaseId} ${failed.length ? `failed on ${failed.length} of ${rows.length} host(s)` : 'succeeded'}`
  const previous = rows.find(r => r.previousRef)?.previousRef ?? ''
  await core.summary
    .addHeading(title, 2)
    .addTable([
      [
        { data: 'host', header: true },
        { data: 'result', header: true },
        { data: 'ref', header: true },
        { data: 'previous', header: true },
        { data: 'seconds', header: true },
        { data: 'detail', header: true }
      ],
      ...rows.map(r =>
        summaryRow([
          r.host,
          r.status === 'succeeded'
            ? '✅ succeeded'
            : r.changed
              ? '❌ failed (server changed)'
              : '❌ failed (unchanged)',
          commitLink(s, r.ref),
          commitLink(s, r.previousRef),
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

function toRow(
  outcome: HostOutcome<HostReport>,
  seconds: number,
  releaseId: string,
  failure?: Partial<HostReport>
): HostRow {
  const report = outcome.value ?? failure ?? {}
  return {
    host: outcome.host,
    status: outcome.ok ? 'succeeded' : 'failed',
    release: report.releaseId ?? releaseId,
    ref: report.ref ?? '',
    previousRef: report.previousRef ?? '',
    changed: outcome.ok || Boolean(report.changed),
    seconds,
    error: outcome.error,
    ...(report.lockLost ? { lockLost: true as const } : {})
  }
}

/**
 * `wayBack: false` leaves the "To go back" line and hints out, for a caller
 * that decides after this stage whether the release stays (the root action).
 */
export async function run(
  s: DeploySettings,
  options: { wayBack?: boolean; beforeStart?: DeployPlan['beforeStart'] } = {}
): Promise<StageResult & { releaseId: string; rows: HostRow[] }> {
  registerEnvSecrets(s.env)
  const releaseId = newReleaseId(new Date(), s.ref || s.run.sha)
  const lockToken = newLockToken()
  core.saveState(STATE_TOKEN, lockToken)
  const packed = s.source === 'upload' && !s.rollbackTo ? packTree(s.uploadPath) : undefined
  const failures = new Map<string, Partial<HostReport>>()
  const seconds = new Map<string, number>()
  let outcomes: HostOutcome<HostReport>[]
  try {
    outcomes = await forEachHost(s.connection, async host => {
      const started = Date.now()
      try {
        return await core.group(
          `${host.label}: ${s.rollbackTo ? 'rollback' : 'deploy'} ${releaseId}`,
          () =>
            deployHost(host, s, {
              releaseId,
              archive: packed?.archive,
              lockToken,
              beforeStart: options.beforeStart,
              wayBack: options.wayBack,
              onLocked: () => core.saveState(STATE_OPEN, 'true')
            })
        )
      } catch (err) {
        if (err instanceof DeployFailure) failures.set(host.label, err.report)
        throw err
      } finally {
        seconds.set(host.label, (Date.now() - started) / 1000)
      }
    })
  } finally {
    packed?.cleanup()
  }
  core.saveState(STATE_OPEN, 'false')

  const rows = outcomes.map(o =>
    toRow(o, seconds.get(o.host) ?? 0, releaseId, failures.get(o.host))
  )
  const first = rows.find(r => r.status === 'succeeded') ?? rows[0]
  core.setOutput('release-id', releaseId)
  core.setOutput('deployed-ref', rows.every(r => r.status === 'succeeded') ? first.ref : '')
  core.setOutput('previous-ref', first.previousRef)
  core.setOutput('hosts', JSON.stringify(rows))
  await writeSummary(s, releaseId, rows, options.wayBack ?? true)

  const failed = rows.filter(r => r.status === 'failed')
  const verb = s.rollbackTo ? 'Rollback' : 'Deploy'
  if (failed.length > 0) {
    const where = rows.map(r => `${r.host}: ${hostState(r)}`)
    return {
      ok: false,
      releaseId,
      rows,
      message: `${verb} failed on ${failed.map(r => r.host).join(', ')}. Hosts now: ${where.join('; ')}`
    }
  }
  return {
    ok: true,
    releaseId,
    rows,
    message: `${s.rollbackTo ? 'Rolled back' : 'Deployed'} ${first.ref} as release ${releaseId} on ${rows.length} host(s)`
  }
}

function hostState(r: HostRow): string {
  if (r.status === 'succeeded') return `on ${r.release}`
  if (r.lockLost) return `${r.changed ? 'changed' : 'unchanged'}, then taken over by another deploy`
  if (r.changed) return 'changed, failed'
  return `unchanged${r.previousRef ? ` (still ${r.previousRef.slice(0, 12)})` : ''}`
}

/**
 * Runs after the job, even when it failed or was cancelled: releases a lock
 * this run still holds (a lock from a cancelled job is otherwise only taken
 * over once it goes stale).
 */
export async function post(readSettings: () => LockRelease): Promise<void> {
  const token = core.getState(STATE_TOKEN)
  if (core.getState(STATE_OPEN) !== 'true' || !token) return
  const { connection, appDir } = readSettings()
  await forEachHost(connection, async host => {
    await host.run(lockCommands.release(appDir, token), { quiet: true })
    host.info('Released the deploy lock left by this run')
  })
}
