import type { ComposeProject } from './compose.js'
import type { RemoteCommand } from '../core/remote-command.js'
import { DatabaseConnection, postgresClient } from './database.js'

/**
 * One line per table of the database's own schemas, `schema.table<TAB>rows`,
 * sorted: the table list and every table's row count in one query, which
 * reads the same on the source (inside the dump's snapshot) and on the
 * scratch copy. Partitioned tables count their partitions' rows, on both sides.
 */
export const TABLE_COUNTS_SQL =
  "select format('%s.%s', n.nspname, c.relname) || chr(9) || " +
  "(xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', n.nspname, c.relname), false, true, '')))[1]::text " +
  'from pg_class c join pg_namespace n on n.oid = c.relnamespace ' +
  "where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') " +
  "and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%' order by 1;"

/** psql without the user's psqlrc, quiet, unaligned rows, stopping at the first error. */
const PSQL = ['psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'] as const

/**
 * pg_dump into `file` (through gzip, as writeDumpCommand), and the table
 * counts of the very snapshot it dumped: a psql session opens a repeatable-read
 * transaction and exports its snapshot, pg_dump dumps with `--snapshot` of it,
 * and the same transaction, still open, then counts the rows. So writes the
 * app makes meanwhile are in neither. The counts are what the command prints.
 * The psql session reads its SQL from a FIFO, so it stays open across the dump;
 * its words and pg_dump's are passed as positional parameters, and only
 * `"${N}"` references are ever evaluated, never their values.
 */
export function snapshotDumpCommand(
  db: DatabaseConnection,
  project: ComposeProject,
  file: string
): RemoteCommand {
  const session = postgresClient(db, project, PSQL)
  const dump = postgresClient(db, project, ['pg_dump', '--clean', '--if-exists', '--no-owner'])
  const script = [
    'f=$1; n=$2; shift 2',
    'i=1; p=; while [ "$i" -le "$n" ]; do p="$p \\"\\${$i}\\""; i=$((i+1)); done',
    'd=; while [ "$i" -le "$#" ]; do d="$d \\"\\${$i}\\""; i=$((i+1)); done',
    'umask 077; mkdir -p -- "$(dirname -- "$f")" || exit 1',
    't=$(mktemp -d) && [ -n "$t" ] && [ -d "$t" ] || exit 1',
    'sp=',
    'finish() { exec 3>&-; [ -n "$sp" ] && wait "$sp" 2>/dev/null; rm -rf -- "$t"; rm -f -- "$f.part" "$f.status"; }',
    'fail() { echo "$1" >&2; [ -s "$t/err" ] && tail -n 3 "$t/err" >&2; finish; exit 1; }',
    'mkfifo "$t/sql" || fail "cannot make a FIFO"',
    'eval "$p" < "$t/sql" > "$t/out" 2> "$t/err" & sp=$!',
    'exec 3> "$t/sql"',
    "printf '%s\\n' 'begin isolation level repeatable read;' 'select pg_export_snapshot();' >&3",
    'w=0; while [ ! -s "$t/out" ]; do kill -0 "$sp" 2>/dev/null || fail "the snapshot session ended"; [ "$w" -lt 600 ] || fail "no snapshot after 60 s"; sleep 0.1; w=$((w+1)); done',
    'sleep 0.1; snap=$(head -n 1 "$t/out")',
    'case $snap in *[!0-9A-Fa-f-]*|"") fail "not a snapshot id";; esac',
    '{ eval "$d \\"--snapshot=\\$snap\\""; echo $? > "$f.status"; } | gzip -c > "$f.part" && [ "$(cat "$f.status" 2>/dev/null)" = 0 ] || fail "pg_dump failed"',
    `printf '%s\\n' ${shellSingle(TABLE_COUNTS_SQL)} 'commit;' '\\q' >&3`,
    'exec 3>&-; wait "$sp"; s=$?; sp=',
    '[ "$s" = 0 ] || fail "counting the rows in the snapshot failed"',
    'mv -- "$f.part" "$f" || fail "cannot name the dump"',
    'rm -f -- "$f.status"; tail -n +2 "$t/out"; rm -rf -- "$t"'
  ].join('\n')
  return {
    cwd: dump.cwd,
    env: dump.env,
    secretEnv: dump.secretEnv,
    argv: [
      'sh',
      '-c',
      script,
      'sh',
      file,
      String(session.argv.length),
      ...session.argv,
      ...dump.argv
    ]
  }
}

function shellSingle(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/** The same connection to another database of the same server (the scratch copy). */
export function otherDatabase(db: DatabaseConnection, database: string): DatabaseConnection {
  return {
    ...db,
    database,
    databaseUrl: db.databaseUrl
      ? db.databaseUrl.replace(/^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?/, `$1/${database}`)
      : ''
  }
}

/** Creates (or drops) the scratch database, connected to the source database. */
export function scratchDatabaseCommand(
  db: DatabaseConnection,
  project: ComposeProject,
  action: 'create' | 'drop',
  scratch: string
): RemoteCommand {
  const sql =
    action === 'create' ? `create database "${scratch}"` : `drop database if exists "${scratch}"`
  return postgresClient(db, project, [...PSQL, '-c', sql])
}

/**
 * Restores `file` into the scratch database and prints its table counts. A
 * gzip error counts as a failure too (dash has no pipefail): psql would take a
 * cut stream for a shorter dump.
 */
export function restoreAndCountCommand(
  scratch: DatabaseConnection,
  project: ComposeProject,
  file: string
): RemoteCommand {
  const restore = postgresClient(scratch, project, [...PSQL, '-o', '/dev/null'])
  const count = postgresClient(scratch, project, [...PSQL, '-c', TABLE_COUNTS_SQL])
  const script = [
    'f=$1; n=$2; shift 2',
    'i=1; r=; while [ "$i" -le "$n" ]; do r="$r \\"\\${$i}\\""; i=$((i+1)); done',
    'c=; while [ "$i" -le "$#" ]; do c="$c \\"\\${$i}\\""; i=$((i+1)); done',
    '{ gzip -dc -- "$f" || echo gzip > "$f.proof-gzip"; } | eval "$r" >/dev/null || { rm -f -- "$f.proof-gzip"; exit 1; }',
    'if [ -e "$f.proof-gzip" ]; then rm -f -- "$f.proof-gzip"; echo "the dump does not decompress" >&2; exit 1; fi',
    'eval "$c"'
  ].join('\n')
  return {
    cwd: restore.cwd,
    env: restore.env,
    secretEnv: restore.secretEnv,
    argv: [
      'sh',
      '-c',
      script,
      'sh',
      file,
      String(restore.argv.length),
      ...restore.argv,
      ...count.argv
    ]
  }
}

/** What the runner compares a copied dump with, and the release log records: `<sha256> <bytes>`. */
export function checksumCommand(file: string): RemoteCommand {
  return {
    argv: [
      'sh',
      '-c',
      's=$(sha256sum -- "$1") && b=$(stat -c %s -- "$1") && echo "${s%% *} $b"',
      'sh',
      file
    ]
  }
}
