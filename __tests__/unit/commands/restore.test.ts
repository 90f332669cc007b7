import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { DatabaseConnection } from '../../../src/commands/database.js'
import {
  dumpRecordCommand,
  restoreInOneTransactionCommand,
  restoreServiceCommands,
  singleTransactionPsql,
  tableCountsCommand
} from '../../../src/commands/restore.js'
import {
  describe as describeCommand,
  RemoteCommand,
  toShell
} from '../../../src/core/remote-command.js'
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
  databaseUrl: 'postgresql://app@h/shop',
  password: 's3cret'
}
const FILE = '/srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz'

/** The log line: the shell text, with secret values as ***. */
const shown = (cmd: RemoteCommand) => (cmd.secretEnv?.length ? describeCommand(cmd) : toShell(cmd))

// What pg_dump writes, in small: its settings first, a COPY block per table.
const DUMP = [
  'SET statement_timeout = 0;',
  'SET lock_timeout = 0;',
  'COPY public.shop_product (id, name, price) FROM stdin;',
  '1\ttea\t3',
  '2\tmulti\\nline\t5',
  '\\.',
  'COPY public."Order Lines" FROM stdin;',
  '\\.',
  '-- PostgreSQL database dump complete',
  ''
].join('\n')

describe('restore commands', () => {
  it.each<[string, RemoteCommand, string]>([
    [
      'psql in the db service, one transaction',
      singleTransactionPsql(inDb, project),
      'cd /srv/app && docker compose --project-name app exec -T db psql -X --single-transaction -v ON_ERROR_STOP=1 --quiet --output=/dev/null -U postgres -d shop'
    ],
    [
      'psql on the server by URL, one transaction',
      singleTransactionPsql(byUrl, project),
      "export PGPASSWORD='***' && psql -X --single-transaction -v ON_ERROR_STOP=1 --quiet --output=/dev/null --dbname=postgresql://app@h/shop"
    ],
    [
      'the restore in the db service, with its lock timeout',
      restoreInOneTransactionCommand(inDb, project, FILE, 30),
      "cd /srv/app && sh -c 'f=$1; t=$2; a=$3; shift 3; { gzip -dc -- \"$f\" || printf '\\''\\n\\\\.\\n;\\nDO $deploykit$ BEGIN RAISE EXCEPTION %s; END $deploykit$;\\n'\\'' \"'\\''the dump could not be read to its end'\\''\"; } | awk -v t=\"$t\" \"$a\" | \"$@\"' sh /srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz ''\\''30s'\\''' 'NR == 1 { print \"SET lock_timeout = \" t \";\" } $0 == \"SET lock_timeout = 0;\" { next } { print }' docker compose --project-name app exec -T db psql -X --single-transaction -v ON_ERROR_STOP=1 --quiet --output=/dev/null -U postgres -d shop"
    ],
    [
      'the restore on the server by URL',
      restoreInOneTransactionCommand(byUrl, project, FILE, 5),
      "export PGPASSWORD='***' && sh -c 'f=$1; t=$2; a=$3; shift 3; { gzip -dc -- \"$f\" || printf '\\''\\n\\\\.\\n;\\nDO $deploykit$ BEGIN RAISE EXCEPTION %s; END $deploykit$;\\n'\\'' \"'\\''the dump could not be read to its end'\\''\"; } | awk -v t=\"$t\" \"$a\" | \"$@\"' sh /srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz ''\\''5s'\\''' 'NR == 1 { print \"SET lock_timeout = \" t \";\" } $0 == \"SET lock_timeout = 0;\" { next } { print }' psql -X --single-transaction -v ON_ERROR_STOP=1 --quiet --output=/dev/null --dbname=postgresql://app@h/shop"
    ],
    [
      "the dump's record of its rows",
      dumpRecordCommand(FILE),
      'sh -c \'gzip -dc -- "$1" | awk "$2"\' sh /srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz \'/^COPY .* FROM stdin;$/ { t = substr($0, 6); sub(/ \\(.*\\) FROM stdin;$/, "", t); sub(/ FROM stdin;$/, "", t); n = 0; inside = 1; next } inside && $0 == "\\\\." { printf "%s\\t%d\\n", t, n; inside = 0; next } inside { n++ }\''
    ],
    [
      'the row counts in the db service',
      tableCountsCommand(inDb, project),
      "cd /srv/app && docker compose --project-name app exec -T db psql -X -q -A -t -F '\t' -v ON_ERROR_STOP=1 -c 'select format('\\''%I.%I'\\'', n.nspname, c.relname), (xpath('\\''/row/n/text()'\\'', query_to_xml(format('\\''select count(*) as n from %I.%I'\\'', n.nspname, c.relname), false, true, '\\'''\\'')))[1]::text from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = '\\''r'\\'' and n.nspname not in ('\\''pg_catalog'\\'', '\\''information_schema'\\'') and n.nspname not like '\\''pg\\_toast%'\\'' order by 1' -U postgres -d shop"
    ],
    [
      'the running services',
      restoreServiceCommands.running(project),
      'cd /srv/app && docker compose --project-name app ps --services --filter status=running'
    ],
    [
      'stopping the services that write',
      restoreServiceCommands.stop(project, ['backend', 'worker']),
      'cd /srv/app && docker compose --project-name app stop backend worker'
    ],
    [
      'starting them again',
      restoreServiceCommands.start(project, ['backend']),
      'cd /srv/app && docker compose --project-name app start backend'
    ]
  ])('%s', (_name, cmd, shell) => {
    expect(shown(cmd)).toBe(shell)
  })

  describe('run by a shell', () => {
    const dir = mkdtempSync(join(tmpdir(), 'restore-unit-'))
    const dump = join(dir, 'dump.sql.gz')
    writeFileSync(dump, gzipSync(DUMP))
    const truncated = join(dir, 'truncated.sql.gz')
    writeFileSync(truncated, gzipSync(DUMP).subarray(0, 40))
    afterAllRemove(dir)

    /** The restore script with `cat` in psql's place: what psql would read. */
    const fed = (file: string) => {
      const { argv } = restoreInOneTransactionCommand(inDb, project, file, 7)
      const at = argv.indexOf('docker')
      return spawnSync('dash', [...argv.slice(1, at), 'cat'], { encoding: 'utf8' }).stdout
    }

    it("sets its own lock timeout first and drops the dump's", () => {
      const text = fed(dump)
      expect(text.split('\n')[0]).toBe("SET lock_timeout = '7s';")
      expect(text).not.toContain('SET lock_timeout = 0;')
      expect(text).toContain('COPY public.shop_product (id, name, price) FROM stdin;')
    })

    it('ends a dump it cannot read to its end with a statement that fails', () => {
      expect(fed(truncated)).toMatch(
        /\\\.\n;\nDO \$deploykit\$ BEGIN RAISE EXCEPTION 'the dump could not be read to its end'; END \$deploykit\$;\n$/
      )
    })

    it('reads the rows of each table from the dump', () => {
      const { argv } = dumpRecordCommand(dump)
      expect(execFileSync('dash', argv.slice(1), { encoding: 'utf8' })).toBe(
        'public.shop_product\t2\npublic."Order Lines"\t0\n'
      )
    })
  })
})

function afterAllRemove(dir: string): void {
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
}
