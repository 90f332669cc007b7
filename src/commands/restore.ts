import { ComposeProject, composeCommand } from './compose.js'
import type { RemoteCommand } from '../core/remote-command.js'
import { DatabaseConnection, postgresClient } from './database.js'

/**
 * psql that runs its whole input as one transaction and stops at the first
 * error, which rolls everything back: a restore either happens or does not.
 */
export function singleTransactionPsql(
  db: DatabaseConnection,
  project: ComposeProject
): RemoteCommand {
  return postgresClient(db, project, [
    'psql',
    '-X',
    '--single-transaction',
    '-v',
    'ON_ERROR_STOP=1',
    '--quiet',
    // The dump's own SELECTs (set_config) print rows; errors still reach stderr.
    '--output=/dev/null'
  ])
}

// pg_dump starts its output with `SET lock_timeout = 0;`, which would undo
// ours: awk puts ours first and leaves that line out. A dump that cannot be
// read to its end gets a statement that fails after it, so what was read is
// never committed.
const SET_LOCK_TIMEOUT =
  'NR == 1 { print "SET lock_timeout = " t ";" } $0 == "SET lock_timeout = 0;" { next } { print }'
const RESTORE_SCRIPT =
  'f=$1; t=$2; a=$3; shift 3; ' +
  '{ gzip -dc -- "$f" || printf \'\\n\\\\.\\n;\\nDO $deploykit$ BEGIN RAISE EXCEPTION %s; END $deploykit$;\\n\' "\'the dump could not be read to its end\'"; } | ' +
  'awk -v t="$t" "$a" | "$@"'

/**
 * Restores a gzip dump (`pg_dump --clean --if-exists`) in one transaction,
 * waiting at most `lockTimeoutSeconds` for each lock the app holds, so a DROP
 * fails instead of hanging until the command timeout.
 */
export function restoreInOneTransactionCommand(
  db: DatabaseConnection,
  project: ComposeProject,
  file: string,
  lockTimeoutSeconds: number
): RemoteCommand {
  const psql = singleTransactionPsql(db, project)
  return {
    cwd: psql.cwd,
    env: psql.env,
    secretEnv: psql.secretEnv,
    argv: [
      'sh',
      '-c',
      RESTORE_SCRIPT,
      'sh',
      file,
      `'${Math.max(1, Math.floor(lockTimeoutSeconds))}s'`,
      SET_LOCK_TIMEOUT,
      ...psql.argv
    ]
  }
}

/**
 * The dump's own record of its data: for each table, the rows of its COPY
 * block (one line a row: COPY escapes newlines), as `schema.table<TAB>rows`.
 */
export function dumpRecordCommand(file: string): RemoteCommand {
  const awk =
    '/^COPY .* FROM stdin;$/ { t = substr($0, 6); sub(/ \\(.*\\) FROM stdin;$/, "", t); sub(/ FROM stdin;$/, "", t); n = 0; inside = 1; next } ' +
    'inside && $0 == "\\\\." { printf "%s\\t%d\\n", t, n; inside = 0; next } ' +
    'inside { n++ }'
  return {
    argv: ['sh', '-c', 'gzip -dc -- "$1" | awk "$2"', 'sh', file, awk]
  }
}

/** Every ordinary table outside the system schemas with its row count, named as pg_dump names it. */
export const TABLE_COUNTS_SQL =
  "select format('%I.%I', n.nspname, c.relname), " +
  "(xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I.%I', n.nspname, c.relname), false, true, '')))[1]::text " +
  'from pg_class c join pg_namespace n on n.oid = c.relnamespace ' +
  "where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' " +
  'order by 1'

/** The database's tables and their row counts now, as `schema.table<TAB>rows` lines. */
export function tableCountsCommand(db: DatabaseConnection, project: ComposeProject): RemoteCommand {
  return postgresClient(db, project, [
    'psql',
    '-X',
    '-q',
    '-A',
    '-t',
    '-F',
    '\t',
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    TABLE_COUNTS_SQL
  ])
}

export const restoreServiceCommands = {
  /** The project's running services, one a line (Compose v1 and v2 both read this filter). */
  running: (project: ComposeProject): RemoteCommand =>
    composeCommand(project, ['ps', '--services', '--filter', 'status=running']),
  stop: (project: ComposeProject, services: readonly string[]): RemoteCommand =>
    composeCommand(project, ['stop', ...services]),
  /** Starts the stopped containers again, as they were: nothing is recreated. */
  start: (project: ComposeProject, services: readonly string[]): RemoteCommand =>
    composeCommand(project, ['start', ...services])
}
