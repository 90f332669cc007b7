import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  dumpCommand,
  restoreCommand,
  restoreFromFileCommand,
  restoreHint,
  verifyCommand,
  writeDumpCommand
} from '../../../src/commands/backup.js'
import type { DatabaseConnection } from '../../../src/commands/database.js'
import type { ComposeProject } from '../../../src/commands/compose.js'
import {
  describe as describeCommand,
  RemoteCommand,
  shellLaunch,
  toShell
} from '../../../src/core/remote-command.js'
import { PROJECT as project } from '../../helpers/backend-service.js'
import { readMigrateInputs as read } from '../../helpers/migrate-inputs.js'

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
const HOSTILE_FILE = "/srv/app/it's $(touch pwned)\n-x.sql.gz"

// The scripts as the shell text quotes them.
const WRITE =
  '\'f=$1; shift; umask 077; mkdir -p -- "$(dirname -- "$f")" || exit 1; { "$@"; echo $? > "$f.status"; } | gzip -c > "$f.part" && [ "$(cat "$f.status" 2>/dev/null)" = 0 ] && rm -f -- "$f.status" && mv -- "$f.part" "$f" || { rm -f -- "$f.part" "$f.status"; exit 1; }\''
const VERIFY =
  '\'gzip -t -- "$1" && [ -s "$1" ] && gzip -dc -- "$1" | tail -c 4096 | grep -qF -- "$2"\''
const RESTORE = '\'f=$1; shift; gzip -dc -- "$f" | "$@"\''

/** The log line: the shell text, with secret values as ***. */
const shown = (cmd: RemoteCommand) => (cmd.secretEnv?.length ? describeCommand(cmd) : toShell(cmd))

describe('backup commands', () => {
  it.each<[string, RemoteCommand, string]>([
    [
      'pg_dump in the db service',
      dumpCommand(inDb, project),
      'cd /srv/app && docker compose --project-name app exec -T db pg_dump --clean --if-exists --no-owner -U postgres -d shop'
    ],
    [
      'pg_dump on the server by URL, the password secret',
      dumpCommand(byUrl, project),
      "export PGPASSWORD='***' && pg_dump --clean --if-exists --no-owner --dbname=postgresql://app@h/shop"
    ],
    [
      'psql in the db service',
      restoreCommand(inDb, project),
      'cd /srv/app && docker compose --project-name app exec -T db psql -v ON_ERROR_STOP=1 --quiet -U postgres -d shop'
    ],
    [
      'psql on the server by URL',
      restoreCommand(byUrl, project),
      "export PGPASSWORD='***' && psql -v ON_ERROR_STOP=1 --quiet --dbname=postgresql://app@h/shop"
    ],
    [
      'the dump written through gzip, in the service',
      writeDumpCommand(dumpCommand(inDb, project), FILE),
      `cd /srv/app && sh -c ${WRITE} sh /srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz docker compose --project-name app exec -T db pg_dump --clean --if-exists --no-owner -U postgres -d shop`
    ],
    [
      'the dump written through gzip, on the server',
      writeDumpCommand(dumpCommand(byUrl, project), FILE),
      `export PGPASSWORD='***' && sh -c ${WRITE} sh /srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz pg_dump --clean --if-exists --no-owner --dbname=postgresql://app@h/shop`
    ],
    [
      'a hostile file name is an argument of the script',
      writeDumpCommand(dumpCommand(inDb, project), HOSTILE_FILE),
      `cd /srv/app && sh -c ${WRITE} sh '/srv/app/it'\\''s $(touch pwned)\n-x.sql.gz' docker compose --project-name app exec -T db pg_dump --clean --if-exists --no-owner -U postgres -d shop`
    ],
    [
      'a relative file name with a leading -',
      writeDumpCommand(dumpCommand(inDb, project), '-rf'),
      `cd /srv/app && sh -c ${WRITE} sh -rf docker compose --project-name app exec -T db pg_dump --clean --if-exists --no-owner -U postgres -d shop`
    ],
    [
      'the checks of a dump',
      verifyCommand(FILE),
      `sh -c ${VERIFY} sh /srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz 'PostgreSQL database dump complete'`
    ],
    [
      'the checks of a dump with a hostile file name',
      verifyCommand(HOSTILE_FILE),
      `sh -c ${VERIFY} sh '/srv/app/it'\\''s $(touch pwned)\n-x.sql.gz' 'PostgreSQL database dump complete'`
    ],
    [
      'restoring a dump in the service',
      restoreFromFileCommand(restoreCommand(inDb, project), FILE),
      `cd /srv/app && sh -c ${RESTORE} sh /srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz docker compose --project-name app exec -T db psql -v ON_ERROR_STOP=1 --quiet -U postgres -d shop`
    ],
    [
      'restoring a dump on the server',
      restoreFromFileCommand(restoreCommand(byUrl, project), FILE),
      `export PGPASSWORD='***' && sh -c ${RESTORE} sh /srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz psql -v ON_ERROR_STOP=1 --quiet --dbname=postgresql://app@h/shop`
    ],
    [
      'restoring a dump with a hostile file name',
      restoreFromFileCommand(restoreCommand(inDb, project), HOSTILE_FILE),
      `cd /srv/app && sh -c ${RESTORE} sh '/srv/app/it'\\''s $(touch pwned)\n-x.sql.gz' docker compose --project-name app exec -T db psql -v ON_ERROR_STOP=1 --quiet -U postgres -d shop`
    ]
  ])('%s', (_name, cmd, shell) => {
    expect(shown(cmd)).toBe(shell)
  })

  it.each<[string, string, string]>([
    [
      'the restore hint for the service',
      restoreHint(restoreCommand(inDb, project), FILE),
      'gzip -dc /srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz | (cd /srv/app && docker compose --project-name app exec -T db psql -v ON_ERROR_STOP=1 --quiet -U postgres -d shop)'
    ],
    [
      'the restore hint on the server says where the password goes',
      restoreHint(restoreCommand(byUrl, project), FILE),
      '# with PGPASSWORD exported: the password of backup-database-url\ngzip -dc /srv/app/backups/deploykit-shop-20261123T081500Z.sql.gz | psql -v ON_ERROR_STOP=1 --quiet --dbname=postgresql://app@h/shop'
    ],
    [
      'the restore hint with a hostile file name',
      restoreHint(restoreCommand(inDb, project), HOSTILE_FILE),
      "gzip -dc '/srv/app/it'\\''s $(touch pwned)\n-x.sql.gz' | (cd /srv/app && docker compose --project-name app exec -T db psql -v ON_ERROR_STOP=1 --quiet -U postgres -d shop)"
    ]
  ])('%s', (_name, hint, text) => {
    expect(hint).toBe(text)
  })
})

describe('dump files', () => {
  // The pipeline runs in a real dash: a failing dump must leave no file under the final name.
  it('keeps no file when the dump fails, and verifies a complete one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploykit-dump-'))
    try {
      const failing = writeDumpCommand(
        { argv: ['sh', '-c', 'echo partial; exit 4'] },
        join(dir, 'bad.sql.gz')
      )
      expect(() => execFileSync('sh', ['-c', toShell(failing)], { stdio: 'ignore' })).toThrow()
      expect(readdirSync(dir)).toEqual([])
      const good = join(dir, "good 'one'.sql.gz")
      execFileSync('sh', [
        '-c',
        toShell(
          writeDumpCommand(
            {
              argv: [
                'printf',
                'CREATE TABLE t();\n-- PostgreSQL database dump complete\n\\unrestrict abc\n'
              ]
            },
            good
          )
        )
      ])
      expect(existsSync(good)).toBe(true)
      expect(() => execFileSync('sh', ['-c', toShell(verifyCommand(good))])).not.toThrow()
      execFileSync('sh', [
        '-c',
        toShell(
          writeDumpCommand({ argv: ['printf', 'CREATE TABLE t();\n'] }, join(dir, 'cut.sql.gz'))
        )
      ])
      expect(() =>
        execFileSync('sh', ['-c', toShell(verifyCommand(join(dir, 'cut.sql.gz')))])
      ).toThrow()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('pg_dump and psql commands', () => {
  const project: ComposeProject = {
    binary: ['docker', 'compose'],
    dir: '/srv/app',
    files: [],
    projectName: 'app'
  }
  const password = "Xq'7 $(id)\nsecret-Z9"
  const url = `postgresql://app:${encodeURIComponent(password)}@db.internal:5432/shop`
  const onServer = read({ backup: 'pg_dump', 'backup-database-url': url }).backup!
  const inDb = read({
    backup: 'pg_dump',
    'backup-database-url': url,
    'backup-service': 'db'
  }).backup!

  it('puts the password in no argv: PGPASSWORD, secret, on the server or passed on by Compose', () => {
    expect(dumpCommand(onServer, project)).toEqual({
      argv: [
        'pg_dump',
        '--clean',
        '--if-exists',
        '--no-owner',
        '--dbname=postgresql://app@db.internal:5432/shop'
      ],
      env: { PGPASSWORD: password },
      secretEnv: ['PGPASSWORD']
    })
    expect(dumpCommand(inDb, project)).toEqual({
      cwd: '/srv/app',
      argv: [
        'docker',
        'compose',
        '--project-name',
        'app',
        'exec',
        '-T',
        '-e',
        'PGPASSWORD',
        'db',
        'pg_dump',
        '--clean',
        '--if-exists',
        '--no-owner',
        '--dbname=postgresql://app@db.internal:5432/shop'
      ],
      env: { PGPASSWORD: password },
      secretEnv: ['PGPASSWORD']
    })
    const plain = read({ backup: 'pg_dump' }).backup!
    expect(dumpCommand(plain, project).argv.slice(-7)).toEqual(
      [
        'db',
        'pg_dump',
        '--clean',
        '--if-exists',
        '--no-owner',
        '-U',
        'postgres',
        '-d',
        'postgres'
      ].slice(-7)
    )
    expect(dumpCommand(plain, project).env).toBeUndefined()
    for (const cmd of [
      writeDumpCommand(dumpCommand(onServer, project), '/srv/app/backups/x.sql.gz'),
      restoreFromFileCommand(restoreCommand(inDb, project), '/srv/app/backups/x.sql.gz')
    ]) {
      expect(cmd.secretEnv).toEqual(['PGPASSWORD'])
      for (const shown of [
        JSON.stringify(cmd.argv),
        shellLaunch(cmd, { exec: true }).script,
        describeCommand(cmd)
      ]) {
        expect(shown).not.toMatch(/Xq|Z9/)
      }
      expect(describeCommand(cmd)).toContain("PGPASSWORD='***'")
    }
    expect(restoreHint(restoreCommand(onServer, project), '/b/x.sql.gz')).toBe(
      '# with PGPASSWORD exported: the password of backup-database-url\n' +
        'gzip -dc /b/x.sql.gz | psql -v ON_ERROR_STOP=1 --quiet --dbname=postgresql://app@db.internal:5432/shop'
    )
  })

  // The whole launch in a real dash, with a pg_dump on PATH that records what it was given.
  it('runs pg_dump with the password in its environment and nowhere in its argv', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploykit-pgdump-'))
    try {
      writeFileSync(
        join(dir, 'pg_dump'),
        '#!/bin/sh\nprintf "%s\\n" "$0 $*" > "$RECORD.argv"\nprintf %s "$PGPASSWORD" > "$RECORD.env"\n' +
          'echo "-- PostgreSQL database dump complete"\n'
      )
      chmodSync(join(dir, 'pg_dump'), 0o755)
      const record = join(dir, 'record')
      const cmd = writeDumpCommand(dumpCommand(onServer, project), join(dir, 'out.sql.gz'))
      const launch = shellLaunch(
        { ...cmd, env: { ...cmd.env, PATH: `${dir}:${process.env.PATH}`, RECORD: record } },
        { exec: true }
      )
      execFileSync('sh', ['-c', launch.script], { input: launch.stdin })
      expect(readFileSync(`${record}.env`, 'utf8')).toBe(password)
      expect(readFileSync(`${record}.argv`, 'utf8')).toBe(
        `${dir}/pg_dump --clean --if-exists --no-owner --dbname=postgresql://app@db.internal:5432/shop\n`
      )
      expect(launch.script).not.toContain(encodeURIComponent(password))
      expect(existsSync(join(dir, 'out.sql.gz'))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
