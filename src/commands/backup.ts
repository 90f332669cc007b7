import type { ComposeProject } from './compose.js'
import type { RemoteCommand } from '../core/remote-command.js'
import { commandLine } from '../core/shell.js'
import { DatabaseConnection, PASSWORD_VAR, postgresClient } from './database.js'

/** Marks pg_dump's own end of output; newer pg_dump prints a `\unrestrict` line after it. */
export const DUMP_COMPLETE = 'PostgreSQL database dump complete'

/** pg_dump argv: plain SQL with DROP … IF EXISTS, so restoring over a half-migrated database works. */
export function dumpCommand(db: DatabaseConnection, project: ComposeProject): RemoteCommand {
  return postgresClient(db, project, ['pg_dump', '--clean', '--if-exists', '--no-owner'])
}

export function restoreCommand(db: DatabaseConnection, project: ComposeProject): RemoteCommand {
  return postgresClient(db, project, ['psql', '-v', 'ON_ERROR_STOP=1', '--quiet'])
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

/** What the summary tells a person to run to restore the dump by hand: restoreFromFileCommand as shell text. */
export function restoreHint(restore: RemoteCommand, file: string): string {
  const password = restore.secretEnv?.includes(PASSWORD_VAR)
    ? `# with ${PASSWORD_VAR} exported: the password of backup-database-url\n`
    : ''
  return `${password}gzip -dc ${commandLine([file])} | ${restore.cwd ? `(cd ${commandLine([restore.cwd])} && ` : ''}${commandLine(restore.argv)}${restore.cwd ? ')' : ''}`
}
