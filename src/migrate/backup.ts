import { posix } from 'node:path'
import { ComposeProject, inService } from '../core/compose.js'
import { fileCommands } from '../commands/files.js'
import type { HostContext } from '../core/fleet.js'
import { pruneListed } from '../core/prune.js'
import { RemoteCommand } from '../core/remote-command.js'
import { commandLine } from '../core/shell.js'
import { BackupSettings } from './settings.js'

/** Marks pg_dump's own end of output; newer pg_dump prints a `\unrestrict` line after it. */
const DUMP_COMPLETE = 'PostgreSQL database dump complete'

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

const PASSWORD_VAR = 'PGPASSWORD'

/**
 * pg_dump or psql for the backup's database. A password travels only as
 * PGPASSWORD, a secret env value, which the transport sends on standard
 * input; inside a service Compose passes it on from its own environment.
 */
function clientCommand(
  b: BackupSettings,
  project: ComposeProject,
  argv: readonly string[]
): RemoteCommand {
  const target = b.databaseUrl ? [`--dbname=${b.databaseUrl}`] : ['-U', b.user, '-d', b.database]
  const secret: Pick<RemoteCommand, 'env' | 'secretEnv'> = b.password
    ? { env: { [PASSWORD_VAR]: b.password }, secretEnv: [PASSWORD_VAR] }
    : {}
  if (!b.service) return { argv: [...argv, ...target], ...secret }
  return {
    ...inService(
      project,
      'exec',
      b.service,
      [...argv, ...target],
      b.password ? [PASSWORD_VAR] : []
    ),
    ...secret
  }
}

/** pg_dump argv: plain SQL with DROP … IF EXISTS, so restoring over a half-migrated database works. */
export function dumpCommand(b: BackupSettings, project: ComposeProject): RemoteCommand {
  return clientCommand(b, project, ['pg_dump', '--clean', '--if-exists', '--no-owner'])
}

export function restoreCommand(b: BackupSettings, project: ComposeProject): RemoteCommand {
  return clientCommand(b, project, ['psql', '-v', 'ON_ERROR_STOP=1', '--quiet'])
}

/**
 * Runs the dump into `file` through gzip. dash has no pipefail, so the
 * dump's exit status is written aside and checked; a partial file never
 * keeps the final name.
 */
export function writeDumpCommand(dump: RemoteCommand, file: string): RemoteCommand {
  const script =
    'f=$1; shift; umask 077; mkdir -p -- "$(dirname -- "$f")" || exit 1; ' +
    '{ "$@"; echo $? > "$f.status"; } | gzip -c > "$f.part" && [ "$(cat "$f.status" 2>/dev/null)" = 0 ] ' +
    '&& rm -f -- "$f.status" && mv -- "$f.part" "$f" || { rm -f -- "$f.part" "$f.status"; exit 1; }'
  return {
    cwd: dump.cwd,
    env: dump.env,
    secretEnv: dump.secretEnv,
    argv: ['sh', '-c', script, 'sh', file, ...dump.argv]
  }
}

/** gzip intact, not empty, and pg_dump's completion comment near the end. */
export function verifyCommand(file: string): RemoteCommand {
  return {
    argv: [
      'sh',
      '-c',
      'gzip -t -- "$1" && [ -s "$1" ] && gzip -dc -- "$1" | tail -c 4096 | grep -qF -- "$2"',
      'sh',
      file,
      DUMP_COMPLETE
    ]
  }
}

export function restoreFromFileCommand(restore: RemoteCommand, file: string): RemoteCommand {
  return {
    cwd: restore.cwd,
    env: restore.env,
    secretEnv: restore.secretEnv,
    argv: ['sh', '-c', 'f=$1; shift; gzip -dc -- "$f" | "$@"', 'sh', file, ...restore.argv]
  }
}

/** What the summary tells a person to run to restore the dump by hand. */
export function restoreHint(restore: RemoteCommand, file: string): string {
  const password = restore.secretEnv?.includes(PASSWORD_VAR)
    ? `# with ${PASSWORD_VAR} exported: the password of backup-database-url\n`
    : ''
  return `${password}gzip -dc ${commandLine([file])} | ${restore.cwd ? `(cd ${commandLine([restore.cwd])} && ` : ''}${commandLine(restore.argv)}${restore.cwd ? ')' : ''}`
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
