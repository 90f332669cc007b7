import { randomBytes } from 'node:crypto'
import type { ComposeProject } from '../commands/compose.js'
import {
  checksumCommand,
  otherDatabase,
  restoreAndCountCommand,
  scratchDatabaseCommand
} from '../commands/restore-proof.js'
import type { HostContext } from '../core/fleet.js'
import type { BackupSettings } from './settings.js'

/** What is known of a dump once it is written: what the summary, the outputs and the release log say. */
export interface BackupRecord {
  file: string
  verify: 'restore' | 'integrity' | 'none'
  sizeBytes: number
  sha256: string
  /** Tables the restore proof found, the same in the source's snapshot and in the scratch copy; 0 without it. */
  tables: number
  /** How long the restore proof took; 0 without it. */
  proofSeconds: number
  /** Where the runner holds its copy (backup-copy-to: runner), checksum compared; empty without it. */
  runnerCopy: string
  /** The workflow artifact holding the runner's copy (backup-artifact: true); absent without it. */
  artifact?: { id: number; name: string }
}

/** `schema.table<TAB>rows` lines, as TABLE_COUNTS_SQL prints them. */
export function parseTableCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^(.+)\t(\d+)$/.exec(line.trimEnd())
    if (m) counts.set(m[1], Number(m[2]))
  }
  return counts
}

/** Every difference between the source's snapshot and the restored copy, in words; empty when none. */
export function countDifferences(
  source: ReadonlyMap<string, number>,
  restored: ReadonlyMap<string, number>
): string[] {
  const out: string[] = []
  for (const [table, rows] of source) {
    const got = restored.get(table)
    if (got === undefined) out.push(`${table} is missing`)
    else if (got !== rows) out.push(`${table} has ${got} rows, not ${rows}`)
  }
  for (const table of restored.keys())
    if (!source.has(table)) out.push(`${table} is not in the source database`)
  return out
}

export async function checksumOf(
  host: HostContext,
  file: string,
  verify: BackupRecord['verify']
): Promise<BackupRecord> {
  const out = await host.check(checksumCommand(file), { quiet: true })
  const [sha256 = '', size = '0'] = out.stdout.trim().split(' ')
  if (!/^[0-9a-f]{64}$/.test(sha256))
    throw new Error(`the checksum of ${file} cannot be read; nothing was migrated`)
  return {
    file,
    verify,
    sizeBytes: Number(size),
    sha256,
    tables: 0,
    proofSeconds: 0,
    runnerCopy: ''
  }
}

export function describeRecord(r: BackupRecord): string {
  const proof =
    r.verify === 'restore'
      ? `, ${r.tables} tables proven by a restore in ${r.proofSeconds.toFixed(1)} s`
      : ''
  return `${r.sizeBytes} bytes, sha256 ${r.sha256}${proof}`
}

/** Unique per run and host, recognisable if a lost connection ever leaves one behind. */
export function scratchName(now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14)
  return `deploykit_proof_${stamp}_${randomBytes(4).toString('hex')}`
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' ')
}

/**
 * Restores `file` into a new scratch database on the same server, compares
 * its tables and row counts with `source` (counted in the dump's snapshot),
 * and drops the scratch database whatever happened. Throws, so nothing is
 * migrated, when the dump does not restore to the same tables and rows.
 */
export async function proveRestore(
  host: HostContext,
  b: BackupSettings,
  project: ComposeProject,
  file: string,
  source: ReadonlyMap<string, number>,
  now = new Date()
): Promise<{ tables: number; seconds: number }> {
  // A first deploy's database has no tables yet: the proof is that the dump restores to none.
  if (source.size === 0) host.info(`The database has no tables yet: ${file} must restore to none`)
  const started = Date.now()
  const scratch = scratchName(now)
  host.info(`Proving ${file} by a restore into the scratch database ${scratch}`)
  const created = await host.run(scratchDatabaseCommand(b, project, 'create', scratch), {
    quiet: true
  })
  if (created.code !== 0) {
    const why = lastLines(created.stderr)
    const rights = /permission denied to create database/i.test(why)
      ? `; the role ${b.databaseUrl ? 'of backup-database-url' : b.user} may not create a database: give it CREATEDB, or use backup-verify: integrity`
      : ''
    throw new Error(
      `backup ${file} cannot be proven: creating the scratch database failed: ${why}${rights}; nothing was migrated`
    )
  }
  try {
    const restored = await host.run(
      restoreAndCountCommand(otherDatabase(b, scratch), project, file),
      { quiet: true }
    )
    if (restored.code !== 0)
      throw new Error(
        `backup ${file} failed the restore proof: it does not restore: ${lastLines(restored.stderr)}; nothing was migrated`
      )
    const differences = countDifferences(source, parseTableCounts(restored.stdout))
    if (differences.length > 0)
      throw new Error(
        `backup ${file} failed the restore proof: restored, it differs from the database it was taken from: ${differences.slice(0, 5).join('; ')}${differences.length > 5 ? `; and ${differences.length - 5} more` : ''}; nothing was migrated`
      )
  } finally {
    const dropped = await host.run(scratchDatabaseCommand(b, project, 'drop', scratch), {
      quiet: true
    })
    if (dropped.code !== 0)
      host.info(
        `The scratch database ${scratch} could not be dropped: ${lastLines(dropped.stderr)}; drop it by hand`
      )
  }
  return { tables: source.size, seconds: (Date.now() - started) / 1000 }
}
