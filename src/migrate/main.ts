import * as core from '@actions/core'
import { errorMessage } from '../core/errors.js'
import { forEachHost, HostContext } from '../core/fleet.js'
import { StageResult } from '../core/entry.js'
import { restoreHint } from '../commands/backup.js'
import { singleTransactionPsql } from '../commands/restore.js'
import { migrationArgv, planArgvs, stateArgv } from '../commands/migrate-tool.js'
import { pruneBackups, takeBackup } from './backup.js'
import { restoreBackup } from './restore.js'
import { BackupRecord } from './restore-proof.js'
import { recordBackupInReleaseLog, releaseBackup } from './release-backup.js'
import { backupOutputs, backupSummaryLine } from './backup-report.js'
import { alembicRevision, djangoApplied, djangoRevision, downTargets } from './revisions.js'
import type { Direction } from '../commands/migrate-tool.js'
import { MigrateSettings } from './settings.js'
import { MigrationPlace, migrationPlace } from './where.js'
import { escapeHtml, summaryRow } from '../core/html.js'

function directionWord(direction: Direction): string {
  return direction === 'up' ? 'applied' : 'reverted'
}

export interface MigrateReport {
  backupFile: string
  /** When the backup's dump started. */
  backupTakenAt?: Date
  /** The dump's size, sha256, proof and runner copy; absent without a backup. */
  backup?: BackupRecord
  restoreHint: string
  fromRevision: string
  toRevision: string
  applied: string[]
  planOnly: boolean
}

interface State {
  revision: string
  applied: string[]
}

async function readState(
  host: HostContext,
  s: MigrateSettings,
  place: MigrationPlace,
  python: string
): Promise<State | undefined> {
  const argv = stateArgv(s.tool, python)
  if (!argv) return undefined
  const out = await host.check(place.inService(argv), { quiet: true })
  if (s.tool === 'django') {
    const applied = djangoApplied(out.stdout)
    return { revision: djangoRevision(applied), applied }
  }
  return { revision: alembicRevision(out.stdout), applied: [] }
}

function changes(s: MigrateSettings, before?: State, after?: State): string[] {
  if (!before || !after) return []
  if (s.tool === 'django') {
    return s.direction === 'up'
      ? after.applied.filter(m => !before.applied.includes(m))
      : before.applied.filter(m => !after.applied.includes(m))
  }
  return before.revision === after.revision ? [] : [`${before.revision} → ${after.revision}`]
}

/** The tool's own last words, for the annotation: its error is what the user needs to see. */
function toolError(stdout: string, stderr: string): string {
  const lines = `${stderr}\n${stdout}`
    .split('\n')
    .map(l => l.trimEnd())
    .filter(Boolean)
  const latest = [...lines].reverse()
  // A Python traceback ends in `module.SomeError: message`, sometimes followed by a hint
  // such as SQLAlchemy's "(Background on this error at: …)": the exception line says more.
  const exception = latest.find(l => /^[\w.]*(Error|Exception)\b[^:]*: /.test(l.trim()))
  const errorLine = exception ?? latest.find(l => /error|exception|failed|fatal/i.test(l))
  return errorLine?.trim() ?? lines.slice(-1)[0] ?? 'no output'
}

/** The targets the tool migrates to, in turn: one, unless migrating django down to a recorded state. */
function targetsFrom(s: MigrateSettings, before?: State): string[] {
  if (s.downTo === undefined || (s.tool !== 'alembic' && s.tool !== 'django')) return [s.target]
  if (!s.downTo.trim())
    throw new Error('the revision before the deploy was not recorded; nothing was reverted')
  if (!before) throw new Error('the revision of the database cannot be read; nothing was reverted')
  return downTargets(s.tool, s.downTo, before.revision)
}

/** What a failed migration says: the tool's error, the revision the database is at, the backup. */
async function failureMessage(
  host: HostContext,
  s: MigrateSettings,
  place: MigrationPlace,
  python: string,
  result: { code: number | null; signal?: string | null; stdout: string; stderr: string },
  backup?: { file: string; takenAt: Date }
): Promise<string> {
  const why = toolError(result.stdout, result.stderr)
  let message = `migration failed (${s.tool}, exit ${result.code ?? result.signal}): ${why}`
  if (backup) message += `. The backup taken before it is ${backup.file}`
  if (s.restoreOnFailure && s.backup && backup) {
    const restored = await restoreBackup(host, {
      backup: s.backup,
      project: place.project,
      file: backup.file,
      takenAt: backup.takenAt,
      stopServices: s.restoreStopServices,
      lockTimeoutSeconds: s.restoreLockTimeout
    })
    message += `; ${restored.message}`
  } else {
    message += '; the database is as the tool left it'
  }
  if (!stateArgv(s.tool, python)) return message
  const now = await readState(host, s, place, python).catch(() => undefined)
  return `${message}; ${now ? `it is at revision ${now.revision}` : 'its revision cannot be read'}`
}

/** Migrates one host's database with the release its app directory holds now. */
export async function migrateHost(host: HostContext, s: MigrateSettings): Promise<MigrateReport> {
  const place = await migrationPlace(host, s)
  const { project } = place
  const python = s.tool === 'django' ? s.python || (await place.python()) : ''
  const report: MigrateReport = {
    backupFile: '',
    restoreHint: '',
    fromRevision: '',
    toRevision: '',
    applied: [],
    planOnly: s.planOnly
  }

  if (s.planOnly) {
    for (const argv of planArgvs(s, python)) await host.check(place.inService(argv))
    const state = await readState(host, s, place, python)
    report.fromRevision = report.toRevision = state?.revision ?? ''
    return report
  }

  const before = await readState(host, s, place, python)
  report.fromRevision = before?.revision ?? ''
  const targets = targetsFrom(s, before)
  if (targets.length === 0) {
    report.toRevision = report.fromRevision
    host.info(`the database is at ${s.downTo} already: nothing to revert`)
    return report
  }
  if (s.backup) {
    report.backupTakenAt = new Date()
    report.backup = await takeBackup(host, s.backup, project, report.backupTakenAt)
    report.backupFile = report.backup.file
    report.restoreHint = restoreHint(singleTransactionPsql(s.backup, project), report.backupFile)
    await recordBackupInReleaseLog(
      host,
      s.app.appDir,
      s.direction,
      releaseBackup(host.label, report.backup, report.backupTakenAt),
      s.releaseId
    )
    const removed = await pruneBackups(host, s.backup)
    if (removed.length)
      host.info(`Removed old backups (backup-keep: ${s.backup.keep}): ${removed.join(', ')}`)
  }

  for (const target of targets) {
    const result = await host.run(place.inService(migrationArgv({ ...s, target }, python)))
    if (result.code !== 0)
      throw new Error(
        await failureMessage(
          host,
          s,
          place,
          python,
          result,
          report.backupFile && report.backupTakenAt
            ? { file: report.backupFile, takenAt: report.backupTakenAt }
            : undefined
        )
      )
  }
  const after = await readState(host, s, place, python)
  report.toRevision = after?.revision ?? ''
  report.applied = changes(s, before, after)
  host.info(
    report.applied.length
      ? `${directionWord(s.direction)}: ${report.applied.join(', ')}`
      : before
        ? `nothing to ${s.direction === 'up' ? 'apply' : 'revert'}`
        : 'migration command finished'
  )
  return report
}

/**
 * The hosts of one app share its database: it is migrated once, from the
 * migrate host, after one backup there.
 */
export async function run(s: MigrateSettings): Promise<StageResult & { report?: MigrateReport }> {
  const fleet = s.connection.targets.length
  const outcomes = await forEachHost({ ...s.connection, targets: [s.migrateHost] }, host =>
    core.group(
      `${host.label}: migrate (${s.tool} ${s.direction})${fleet > 1 ? ` once for the ${fleet} hosts` : ''}`,
      () => migrateHost(host, s)
    )
  )
  const ok = outcomes.filter(o => o.ok && o.value)
  const first = ok[0]?.value
  core.setOutput('backup-file', first?.backupFile ?? '')
  core.setOutput('from-revision', first?.fromRevision ?? '')
  core.setOutput('to-revision', first?.toRevision ?? '')
  core.setOutput('applied', first ? String(first.applied.length) : '0')
  for (const [name, value] of Object.entries(backupOutputs(first?.backup)))
    core.setOutput(name, value)

  const table = [
    ['host', 'result', 'from', 'to', s.direction === 'up' ? 'applied' : 'reverted', 'backup'].map(
      data => ({ data, header: true })
    ),
    ...outcomes.map(o =>
      summaryRow([
        o.host,
        o.ok ? (o.value?.planOnly ? 'plan only' : '✅') : `❌ ${o.error ?? ''}`,
        o.value?.fromRevision ?? '',
        o.value?.toRevision ?? '',
        o.value?.applied.join(', ') ?? '',
        o.value?.backupFile ?? ''
      ])
    )
  ]
  const summary = core.summary.addHeading(`Migrate: ${s.tool} ${s.direction}`, 2).addTable(table)
  if (first?.backup) summary.addRaw(`<p>${escapeHtml(backupSummaryLine(first.backup))}</p>`, true)
  if (first?.restoreHint)
    summary
      .addRaw('<p>Restore the backup with:</p>')
      .addRaw(`<pre lang="sh"><code>${escapeHtml(first.restoreHint)}</code></pre>`, true)
  await summary.write()

  const failed = outcomes.filter(o => !o.ok)
  if (failed.length > 0)
    return { ok: false, report: first, message: failed.map(o => errorMessage(o.error)).join('\n') }
  return {
    ok: true,
    report: first,
    message: `migrate: ${s.tool} ${s.direction} done on ${s.migrateHost.address.label}${fleet > 1 ? `, once for the ${fleet} hosts` : ''}`
  }
}
