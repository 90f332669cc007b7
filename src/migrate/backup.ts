import { posix } from 'node:path'
import { DUMP_COMPLETE, dumpCommand, verifyCommand, writeDumpCommand } from '../commands/backup.js'
import type { ComposeProject } from '../commands/compose.js'
import { fileCommands } from '../commands/files.js'
import type { HostContext } from '../core/fleet.js'
import { pruneListed } from '../core/prune.js'
import { BackupSettings } from './settings.js'

export function backupFileName(database: string, now: Date): string {
  return `deploykit-${database}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.sql.gz`
}

/** Only files this naming produces are ever deleted by backup-keep. */
export function isOwnBackup(name: string, database: string): boolean {
  return new RegExp(
    `^deploykit-${database.replace(/[.]/g, '\\.')}-\\d{8}T\\d{6}Z\\.sql\\.gz$`
  ).test(name)
}

/** Takes and verifies a dump; throws (so nothing is migrated) when either fails. */
export async function takeBackup(
  host: HostContext,
  b: BackupSettings,
  project: ComposeProject,
  now = new Date()
): Promise<string> {
  const file = posix.join(b.dir, backupFileName(b.database, now))
  const written = await host.run(writeDumpCommand(dumpCommand(b, project), file))
  if (written.code !== 0) {
    throw new Error(
      `backup failed (pg_dump into ${file} exited ${written.code ?? written.signal}): ${written.stderr.trim().split('\n').slice(-3).join(' ')}; nothing was migrated`
    )
  }
  if ((await host.run(verifyCommand(file), { quiet: true })).code !== 0) {
    throw new Error(
      `backup ${file} failed verification (not gzip, empty, or without "${DUMP_COMPLETE}"); nothing was migrated`
    )
  }
  host.info(`Backup written and verified: ${file}`)
  return file
}

/** Deletes the oldest of this database's own dumps beyond `keep`; any other file is left alone. */
export async function pruneBackups(host: HostContext, b: BackupSettings): Promise<string[]> {
  return pruneListed(host, {
    list: fileCommands.list(b.dir),
    ours: name => isOwnBackup(name, b.database),
    keepNewest: b.keep,
    remove: name => fileCommands.removeFile(posix.join(b.dir, name))
  })
}
