import { posix } from 'node:path'
import { DUMP_COMPLETE, dumpCommand, verifyCommand, writeDumpCommand } from '../commands/backup.js'
import type { ComposeProject } from '../commands/compose.js'
import { fileCommands } from '../commands/files.js'
import type { HostContext } from '../core/fleet.js'
import { describe } from '../core/remote-command.js'
import { pruneListed } from '../core/prune.js'
import { BackupSettings } from './settings.js'
import { snapshotDumpCommand } from '../commands/restore-proof.js'
import {
  BackupRecord,
  checksumOf,
  describeRecord,
  parseTableCounts,
  proveRestore
} from './restore-proof.js'
import { copyToRunner } from './runner-copy.js'
import { uploadBackupArtifact } from './artifact-upload.js'

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

/**
 * Takes and verifies a dump; throws (so nothing is migrated) when either
 * fails. With `backup-verify: restore` the dump is taken with the table
 * counts of its own snapshot, and proven by a restore into a scratch database.
 */
export async function takeBackup(
  host: HostContext,
  b: BackupSettings,
  project: ComposeProject,
  now = new Date()
): Promise<BackupRecord> {
  const verify = b.verify ?? 'integrity'
  const file = posix.join(b.dir, backupFileName(b.database, now))
  const dump =
    verify === 'restore'
      ? snapshotDumpCommand(b, project, file)
      : writeDumpCommand(dumpCommand(b, project), file)
  // The snapshot dump prints its tables' row counts for the proof: the log shows the command only.
  if (verify === 'restore') host.info(`$ ${describe(dump)}`)
  const written = await host.run(dump, { quiet: verify === 'restore' })
  if (written.code !== 0) {
    throw new Error(
      `backup failed (pg_dump into ${file} exited ${written.code ?? written.signal}): ${written.stderr.trim().split('\n').slice(-3).join(' ')}; nothing was migrated`
    )
  }
  if (verify !== 'none' && (await host.run(verifyCommand(file), { quiet: true })).code !== 0) {
    throw new Error(
      `backup ${file} failed verification (not gzip, empty, or without "${DUMP_COMPLETE}"); nothing was migrated`
    )
  }
  const record = await checksumOf(host, file, verify)
  if (verify === 'restore') {
    const proof = await proveRestore(host, b, project, file, parseTableCounts(written.stdout), now)
    record.tables = proof.tables
    record.proofSeconds = proof.seconds
  }
  host.info(
    `Backup written${verify === 'none' ? '' : ' and verified'}: ${file} (${describeRecord(record)})`
  )
  if (b.copyTo === 'runner') record.runnerCopy = await copyToRunner(host, record)
  if (b.artifact && record.runnerCopy)
    record.artifact = await uploadBackupArtifact(host, record, b.artifactRetentionDays)
  return record
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
