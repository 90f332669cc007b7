import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { readFileSync } from 'node:fs'
import type { DatabaseConnection } from '../../../src/commands/database.js'
import {
  checksumCommand,
  otherDatabase,
  restoreAndCountCommand,
  scratchDatabaseCommand,
  snapshotDumpCommand,
  TABLE_COUNTS_SQL
} from '../../../src/commands/restore-proof.js'
import { describe as describeCommand, RemoteCommand } from '../../../src/core/remote-command.js'
import { quote } from '../../../src/core/shell.js'
import { countDifferences, parseTableCounts } from '../../../src/migrate/restore-proof.js'
import { PROJECT as project } from '../../helpers/backend-service.js'

const inDb: DatabaseConnection = {
  service: 'db',
  database: 'shop',
  user: 'postgres',
  databaseUrl: '',
  password: ''
}
const byUrl: DatabaseConnection = {
  service: '',
  database: 'shop',
  user: 'postgres',
  databaseUrl: 'postgresql://app@h:5432/shop?sslmode=require',
  password: 's3cret'
}
const FILE = '/srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz'

// The scripts, as the builders hold them.
const SCRIPTS = {
  SNAPSHOT_DUMP:
    'f=$1; n=$2; shift 2\ni=1; p=; while [ "$i" -le "$n" ]; do p="$p \\"\\${$i}\\""; i=$((i+1)); done\nd=; while [ "$i" -le "$#" ]; do d="$d \\"\\${$i}\\""; i=$((i+1)); done\numask 077; mkdir -p -- "$(dirname -- "$f")" || exit 1\nt=$(mktemp -d) && [ -n "$t" ] && [ -d "$t" ] || exit 1\nsp=\nfinish() { exec 3>&-; [ -n "$sp" ] && wait "$sp" 2>/dev/null; rm -rf -- "$t"; rm -f -- "$f.part" "$f.status"; }\nfail() { echo "$1" >&2; [ -s "$t/err" ] && tail -n 3 "$t/err" >&2; finish; exit 1; }\nmkfifo "$t/sql" || fail "cannot make a FIFO"\neval "$p" < "$t/sql" > "$t/out" 2> "$t/err" & sp=$!\nexec 3> "$t/sql"\nprintf \'%s\\n\' \'begin isolation level repeatable read;\' \'select pg_export_snapshot();\' >&3\nw=0; while [ ! -s "$t/out" ]; do kill -0 "$sp" 2>/dev/null || fail "the snapshot session ended"; [ "$w" -lt 600 ] || fail "no snapshot after 60 s"; sleep 0.1; w=$((w+1)); done\nsleep 0.1; snap=$(head -n 1 "$t/out")\ncase $snap in *[!0-9A-Fa-f-]*|"") fail "not a snapshot id";; esac\n{ eval "$d \\"--snapshot=\\$snap\\""; echo $? > "$f.status"; } | gzip -c > "$f.part" && [ "$(cat "$f.status" 2>/dev/null)" = 0 ] || fail "pg_dump failed"\nprintf \'%s\\n\' \'select format(\'\\\'\'%s.%s\'\\\'\', n.nspname, c.relname) || chr(9) || (xpath(\'\\\'\'/row/c/text()\'\\\'\', query_to_xml(format(\'\\\'\'select count(*) as c from %I.%I\'\\\'\', n.nspname, c.relname), false, true, \'\\\'\'\'\\\'\')))[1]::text from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in (\'\\\'\'r\'\\\'\', \'\\\'\'p\'\\\'\') and n.nspname not in (\'\\\'\'pg_catalog\'\\\'\', \'\\\'\'information_schema\'\\\'\') and n.nspname not like \'\\\'\'pg_toast%\'\\\'\' and n.nspname not like \'\\\'\'pg_temp%\'\\\'\' order by 1;\' \'commit;\' \'\\q\' >&3\nexec 3>&-; wait "$sp"; s=$?; sp=\n[ "$s" = 0 ] || fail "counting the rows in the snapshot failed"\nmv -- "$f.part" "$f" || fail "cannot name the dump"\nrm -f -- "$f.status"; tail -n +2 "$t/out"; rm -rf -- "$t"',
  RESTORE_AND_COUNT:
    'f=$1; n=$2; shift 2\ni=1; r=; while [ "$i" -le "$n" ]; do r="$r \\"\\${$i}\\""; i=$((i+1)); done\nc=; while [ "$i" -le "$#" ]; do c="$c \\"\\${$i}\\""; i=$((i+1)); done\n{ gzip -dc -- "$f" || echo gzip > "$f.proof-gzip"; } | eval "$r" >/dev/null || { rm -f -- "$f.proof-gzip"; exit 1; }\nif [ -e "$f.proof-gzip" ]; then rm -f -- "$f.proof-gzip"; echo "the dump does not decompress" >&2; exit 1; fi\neval "$c"',
  CHECKSUM: 's=$(sha256sum -- "$1") && b=$(stat -c %s -- "$1") && echo "${s%% *} $b"'
}
const S = Object.fromEntries(Object.entries(SCRIPTS).map(([k, v]) => [k, quote(v)])) as Record<
  keyof typeof SCRIPTS,
  string
>
const IN_DB = 'docker compose --project-name app exec -T db'
const PSQL = 'psql -X -q -At -v ON_ERROR_STOP=1'
const COUNTS = quote(TABLE_COUNTS_SQL)

describe('restore proof commands', () => {
  it.each<[string, RemoteCommand, string]>([
    [
      'the dump and the counts of its snapshot, in the service',
      snapshotDumpCommand(inDb, project, FILE),
      `cd /srv/app && sh -c ${S.SNAPSHOT_DUMP} sh ${FILE} 17 ${IN_DB} ${PSQL} -U postgres -d shop ${IN_DB} pg_dump --clean --if-exists --no-owner -U postgres -d shop`
    ],
    [
      'the dump and the counts of its snapshot, on the server by URL, the password secret',
      snapshotDumpCommand(byUrl, project, FILE),
      `export PGPASSWORD='***' && sh -c ${S.SNAPSHOT_DUMP} sh ${FILE} 7 ${PSQL} '--dbname=postgresql://app@h:5432/shop?sslmode=require' pg_dump --clean --if-exists --no-owner '--dbname=postgresql://app@h:5432/shop?sslmode=require'`
    ],
    [
      'the scratch database created from the source database',
      scratchDatabaseCommand(inDb, project, 'create', 'deploykit_proof_20261123081500_0a1b2c3d'),
      `cd /srv/app && ${IN_DB} ${PSQL} -c 'create database "deploykit_proof_20261123081500_0a1b2c3d"' -U postgres -d shop`
    ],
    [
      'the scratch database dropped, by URL',
      scratchDatabaseCommand(byUrl, project, 'drop', 'deploykit_proof_x'),
      `export PGPASSWORD='***' && ${PSQL} -c 'drop database if exists "deploykit_proof_x"' '--dbname=postgresql://app@h:5432/shop?sslmode=require'`
    ],
    [
      'the restore into the scratch database and its counts, in the service',
      restoreAndCountCommand(otherDatabase(inDb, 'deploykit_proof_x'), project, FILE),
      `cd /srv/app && sh -c ${S.RESTORE_AND_COUNT} sh ${FILE} 19 ${IN_DB} ${PSQL} -o /dev/null -U postgres -d deploykit_proof_x ${IN_DB} ${PSQL} -c ${COUNTS} -U postgres -d deploykit_proof_x`
    ],
    [
      'the restore into the scratch database by URL: only the database of the URL changes',
      restoreAndCountCommand(otherDatabase(byUrl, 'deploykit_proof_x'), project, FILE),
      `export PGPASSWORD='***' && sh -c ${S.RESTORE_AND_COUNT} sh ${FILE} 9 ${PSQL} -o /dev/null '--dbname=postgresql://app@h:5432/deploykit_proof_x?sslmode=require' ${PSQL} -c ${COUNTS} '--dbname=postgresql://app@h:5432/deploykit_proof_x?sslmode=require'`
    ],
    ['the checksum and size of a dump', checksumCommand(FILE), `sh -c ${S.CHECKSUM} sh ${FILE}`]
  ])('%s', (_name, cmd, expected) => {
    expect(describeCommand(cmd)).toBe(expected)
  })

  it('keeps the password out of every argv', () => {
    for (const cmd of [
      snapshotDumpCommand(byUrl, project, FILE),
      scratchDatabaseCommand(byUrl, project, 'create', 'x'),
      restoreAndCountCommand(byUrl, project, FILE)
    ]) {
      expect(cmd.argv.join(' ')).not.toContain('s3cret')
      expect(cmd.secretEnv).toEqual(['PGPASSWORD'])
    }
  })
})

/** Stand-ins for psql and pg_dump on PATH: what the scripts do with them, without a server. */
function fakeClients(dir: string, dumpExit = 0): void {
  writeFileSync(
    join(dir, 'psql'),
    '#!/bin/sh\n' +
      'case " $* " in *" -c "*) printf "public.t\\t3\\n"; exit 0;; esac\n' +
      'while IFS= read -r line; do case $line in\n' +
      '  "select pg_export_snapshot();") echo 00000003-0000001B-1;;\n' +
      '  "select format"*) printf "public.t\\t3\\npublic.u\\t0\\n";;\n' +
      '  "\\\\q") exit 0;;\n' +
      'esac; done\n'
  )
  writeFileSync(
    join(dir, 'pg_dump'),
    `#!/bin/sh\necho "-- dump $*"\necho "-- PostgreSQL database dump complete"\nexit ${dumpExit}\n`
  )
  chmodSync(join(dir, 'psql'), 0o755)
  chmodSync(join(dir, 'pg_dump'), 0o755)
}

function runLocally(cmd: RemoteCommand, bin: string): string {
  return execFileSync(cmd.argv[0], cmd.argv.slice(1), {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe']
  })
}

describe('the snapshot dump script', () => {
  it('dumps with the snapshot the open session exported and prints that session’s counts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-snapshot-'))
    try {
      fakeClients(dir)
      const file = join(dir, 'out', 'd.sql.gz')
      const db = { ...inDb, service: '' }
      const out = runLocally(snapshotDumpCommand(db, project, file), dir)
      expect(out).toBe('public.t\t3\npublic.u\t0\n')
      expect(gunzipSync(readFileSync(file)).toString()).toContain(
        '-- dump --clean --if-exists --no-owner -U postgres -d shop --snapshot=00000003-0000001B-1'
      )
      expect(readdirSync(join(dir, 'out'))).toEqual(['d.sql.gz'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('hands hostile words to the clients as they are, evaluating none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-snapshot-'))
    try {
      fakeClients(dir)
      const dump = join(dir, 'pg_dump')
      writeFileSync(dump, `#!/bin/sh\nprintf '%s\\n' "$@" > ${quote(join(dir, 'args'))}\nexit 0\n`)
      const url = `postgresql://u@h/d?x=$(touch ${join(dir, 'pwned')})"'\`\\ *`
      const file = join(dir, "it's $(touch pwned).sql.gz")
      runLocally(
        snapshotDumpCommand({ ...inDb, service: '', databaseUrl: url }, project, file),
        dir
      )
      expect(readFileSync(join(dir, 'args'), 'utf8')).toBe(
        `--clean\n--if-exists\n--no-owner\n--dbname=${url}\n--snapshot=00000003-0000001B-1\n`
      )
      expect(existsSync(join(dir, 'pwned'))).toBe(false)
      expect(existsSync(file)).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps no file when pg_dump fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-snapshot-'))
    try {
      fakeClients(dir, 3)
      const file = join(dir, 'out', 'd.sql.gz')
      expect(() =>
        runLocally(snapshotDumpCommand({ ...inDb, service: '' }, project, file), dir)
      ).toThrow(/pg_dump failed/)
      expect(existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : []).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('comparing the counts', () => {
  it('reads psql rows and names every difference', () => {
    const source = parseTableCounts('public.a\t3\npublic.b\t0\npublic.c\t7\n')
    const restored = parseTableCounts('public.a\t2\npublic.b\t0\npublic.d\t1\n')
    expect(countDifferences(source, restored)).toEqual([
      'public.a has 2 rows, not 3',
      'public.c is missing',
      'public.d is not in the source database'
    ])
    expect(countDifferences(source, source)).toEqual([])
  })
})
