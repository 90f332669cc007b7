import type { ComposeProject } from '../commands/compose.js'
import {
  dumpRecordCommand,
  restoreInOneTransactionCommand,
  restoreServiceCommands,
  tableCountsCommand
} from '../commands/restore.js'
import { errorMessage } from '../core/errors.js'
import type { HostContext } from '../core/fleet.js'
import type { BackupSettings } from './settings.js'

/** `schema.table` → rows, from `schema.table<TAB>rows` lines. */
export function parseCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const line of text.split('\n')) {
    const tab = line.lastIndexOf('\t')
    if (tab <= 0) continue
    counts.set(line.slice(0, tab), Number(line.slice(tab + 1)))
  }
  return counts
}

/** The tables whose rows differ from the dump's record, as `table: dump N, database M`. */
export function countDifferences(
  recorded: ReadonlyMap<string, number>,
  restored: ReadonlyMap<string, number>
): string[] {
  return [...recorded].flatMap(([table, rows]) => {
    const now = restored.get(table)
    if (now === rows) return []
    return [`${table}: dump ${rows}, database ${now === undefined ? 'no such table' : now}`]
  })
}

export interface RestoreRequest {
  backup: BackupSettings
  project: ComposeProject
  file: string
  /** When the dump started: what was written after it is not in it. */
  takenAt: Date
  stopServices: readonly string[]
  lockTimeoutSeconds: number
}

export interface RestoreOutcome {
  restored: boolean
  /** What happened, as a clause of the migration's failure message. */
  message: string
}

const lastLine = (text: string) => text.trim().split('\n').pop() ?? ''

/**
 * Restores a verified dump so that it cannot half-happen: the services that
 * write are stopped, the dump runs in one transaction (a failure anywhere
 * rolls all of it back), the restored tables' rows are counted against the
 * dump's own record, and the services are started again whatever happened.
 */
export async function restoreBackup(host: HostContext, r: RestoreRequest): Promise<RestoreOutcome> {
  const lost = `writes after ${r.takenAt.toISOString()} (the dump's time) are lost`
  const record = await host.run(dumpRecordCommand(r.file), { quiet: true })
  if (record.code !== 0) {
    return {
      restored: false,
      message: `it was not restored: the dump cannot be read (${lastLine(record.stderr)}); the database is as the migration left it`
    }
  }
  const recorded = parseCounts(record.stdout)

  const running = await host.run(restoreServiceCommands.running(r.project), { quiet: true })
  const up = new Set(running.stdout.split('\n').map(s => s.trim()))
  const stopped = running.code === 0 ? r.stopServices.filter(s => up.has(s)) : [...r.stopServices]
  if (stopped.length) {
    host.info(`Stopping ${stopped.join(', ')} while the backup is restored (restore-stop-services)`)
    const stop = await host.run(restoreServiceCommands.stop(r.project, stopped))
    if (stop.code !== 0) {
      await host.run(restoreServiceCommands.start(r.project, stopped))
      return {
        restored: false,
        message: `it was not restored: stopping ${stopped.join(', ')} failed (${lastLine(stop.stderr)}); the database is as the migration left it`
      }
    }
  }
  let outcome: RestoreOutcome
  try {
    outcome = await restoreAndCount(host, r, recorded, lost)
  } catch (err) {
    outcome = {
      restored: false,
      message: `restoring it was cut off (${errorMessage(err)}); as one transaction it is committed whole or not at all`
    }
  }
  if (stopped.length) {
    const start = await host.run(restoreServiceCommands.start(r.project, stopped))
    outcome.message +=
      start.code === 0
        ? `; ${stopped.join(', ')} stopped during the restore and started again`
        : `; starting ${stopped.join(', ')} again FAILED (${lastLine(start.stderr)}): they are stopped`
  }
  return outcome
}

async function restoreAndCount(
  host: HostContext,
  r: RestoreRequest,
  recorded: ReadonlyMap<string, number>,
  lost: string
): Promise<RestoreOutcome> {
  host.info(
    `Restoring ${r.file} in one transaction (waiting at most ${r.lockTimeoutSeconds}s for a lock)`
  )
  const restore = await host.run(
    restoreInOneTransactionCommand(r.backup, r.project, r.file, r.lockTimeoutSeconds)
  )
  if (restore.code !== 0) {
    return {
      restored: false,
      message: `restoring it FAILED and was rolled back as one transaction, so the database is as the migration left it: ${lastLine(restore.stderr) || `exit ${restore.code ?? restore.signal}`}`
    }
  }
  const counts = await host.run(tableCountsCommand(r.backup, r.project), { quiet: true })
  if (counts.code !== 0) {
    return {
      restored: true,
      message: `it was restored (restore-on-failure), but its rows cannot be counted (${lastLine(counts.stderr)}); ${lost}`
    }
  }
  const differ = countDifferences(recorded, parseCounts(counts.stdout))
  if (differ.length) {
    return {
      restored: true,
      message: `it was restored (restore-on-failure), but the row counts differ from the dump's: ${differ.join('; ')}; ${lost}`
    }
  }
  return {
    restored: true,
    message: `it was restored in one transaction (restore-on-failure): ${recorded.size} tables, each with the rows the dump recorded; ${lost}`
  }
}
