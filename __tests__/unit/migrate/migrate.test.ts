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
import { collectstaticArgv, explainFailure, filesCopied } from '../../../src/collectstatic/main.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { ComposeProject } from '../../../src/core/compose.js'
import {
  describe as describeCommand,
  shellLaunch,
  toShell
} from '../../../src/core/remote-command.js'
import {
  backupFileName,
  dumpCommand,
  isOwnBackup,
  restoreCommand,
  restoreFromFileCommand,
  restoreHint,
  verifyCommand,
  writeDumpCommand
} from '../../../src/migrate/backup.js'
import { splitDatabaseUrl } from '../../../src/migrate/database-url.js'
import { alembicRevision, djangoApplied, djangoRevision } from '../../../src/migrate/revisions.js'
import { readMigrateSettings } from '../../../src/migrate/settings.js'
import { migrationArgv, planArgvs } from '../../../src/migrate/tool-commands.js'

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
const base = {
  host: 'deploy@web1',
  key: KEY,
  'insecure-skip-host-key-check': 'true',
  'app-dir': '/srv/app'
}
const read = (extra: Record<string, string> = {}) =>
  readMigrateSettings(mapInputs({ ...base, ...extra }))

describe('migrate settings', () => {
  it('fills each tool’s defaults', () => {
    expect(read()).toMatchObject({
      tool: 'django',
      service: 'backend',
      mode: 'exec',
      direction: 'up',
      target: ''
    })
    expect(read({ tool: 'alembic' }).target).toBe('head')
    expect(read({ tool: 'alembic', direction: 'down' }).target).toBe('-1')
    expect(read({ tool: 'alembic', direction: 'down', target: '-2' }).target).toBe('-2')
    expect(read({ tool: 'service' }).service).toBe('migrator')
    expect(read({ backup: 'pg_dump' }).backup).toEqual({
      service: 'db',
      database: 'postgres',
      user: 'postgres',
      databaseUrl: '',
      password: '',
      dir: '/srv/app/backups',
      keep: 10
    })
  })

  it.each([
    [{ tool: 'flyway' }, /^Input 'tool': "flyway" is not one of django, alembic, command, service/],
    [{ tool: 'command' }, /^Input 'command': is empty but tool is command/],
    [
      { tool: 'command', command: 'x', direction: 'down' },
      /^Input 'down-command': is empty but direction is down/
    ],
    [
      { tool: 'service', direction: 'down' },
      /^Input 'direction': down is not possible with tool: service/
    ],
    [{ direction: 'down' }, /^Input 'target': is needed to migrate Django down/],
    [
      { target: 'shop; rm -rf /' },
      /^Input 'target': "shop; rm -rf \/" is not "app" or "app migration"/
    ],
    [
      { tool: 'alembic', target: '$(id)' },
      /^Input 'target': "\$\(id\)" is not an Alembic revision/
    ],
    [{ tool: 'alembic', target: '--sql' }, /^Input 'target': "--sql" is not an Alembic revision/],
    [{ tool: 'alembic', target: '-x' }, /^Input 'target': "-x" is not an Alembic revision/],
    [{ service: 'back end' }, /^Input 'service': "back end" is not a Compose service name/],
    [{ backup: 'pg_dump', 'backup-database': "app'; drop" }, /^Input 'backup-database'/],
    [{ backup: 'mysqldump' }, /^Input 'backup': "mysqldump" is not one of none, pg_dump/],
    [{ python: 'python3 -c evil' }, /^Input 'python'/]
  ])('rejects %j', (extra, message) => {
    expect(() => read(extra)).toThrow(message)
  })

  it('builds each tool’s commands as argv', () => {
    expect(migrationArgv(read(), 'python3')).toEqual([
      'python3',
      'manage.py',
      'migrate',
      '--noinput'
    ])
    expect(migrationArgv(read({ direction: 'down', target: 'shop 0001' }), 'python')).toEqual([
      'python',
      'manage.py',
      'migrate',
      '--noinput',
      'shop',
      '0001'
    ])
    expect(migrationArgv(read({ tool: 'alembic', direction: 'down' }), '')).toEqual([
      'alembic',
      'downgrade',
      '-1'
    ])
    expect(migrationArgv(read({ tool: 'command', command: './main migrate up' }), '')).toEqual([
      'sh',
      '-c',
      './main migrate up'
    ])
    expect(migrationArgv(read({ tool: 'service' }), '')).toBeUndefined()
    expect(planArgvs(read({ tool: 'alembic' }), '')).toContainEqual([
      'alembic',
      'history',
      '-r',
      'current:head'
    ])
  })
})

describe('revisions', () => {
  it('reads django showmigrations --plan', () => {
    const out = '[X]  shop.0001_initial\n[X]  blog.0001_initial\n[ ]  shop.0002_product_price\n'
    expect(djangoApplied(out)).toEqual(['shop.0001_initial', 'blog.0001_initial'])
    expect(djangoRevision(djangoApplied(out))).toBe('blog.0001_initial shop.0001_initial')
    expect(djangoRevision([])).toBe('zero')
  })

  it('reads alembic current', () => {
    expect(alembicRevision('0002 (head)\n')).toBe('0002')
    expect(alembicRevision('ae10 (head)\nbf22 (head)\n')).toBe('ae10 bf22')
    expect(alembicRevision('')).toBe('base')
  })
})

describe('backup files', () => {
  it('names dumps so they sort by time and only its own are pruned', () => {
    const name = backupFileName('app', new Date('2026-11-23T08:15:00.5Z'))
    expect(name).toBe('deploykit-app-20261123T081500Z.sql.gz')
    expect(isOwnBackup(name, 'app')).toBe(true)
    expect(isOwnBackup(name, 'ap')).toBe(false)
    expect(isOwnBackup('deploykit-app-latest.sql.gz', 'app')).toBe(false)
    expect(isOwnBackup('app.sql.gz', 'app')).toBe(false)
  })

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

describe('backup-database-url', () => {
  it.each([
    [
      'postgresql://app:s3cret@db.internal:5432/shop',
      'postgresql://app@db.internal:5432/shop',
      's3cret'
    ],
    [
      'postgres://app:p%40ss%3Aw%2Frd%25@h/db?sslmode=require',
      'postgres://app@h/db?sslmode=require',
      'p@ss:w/rd%'
    ],
    [
      'postgresql://app@h/db?password=q%26x&sslmode=verify-full',
      'postgresql://app@h/db?sslmode=verify-full',
      'q&x'
    ],
    ['postgresql://app:old@h/db?password=new', 'postgresql://app@h/db', 'new'],
    ['postgresql://:only-pw@h/db', 'postgresql://h/db', 'only-pw'],
    ['postgresql://app@h1:5432,h2:5433/db', 'postgresql://app@h1:5432,h2:5433/db', ''],
    ['postgresql:///db?host=/run/postgresql', 'postgresql:///db?host=/run/postgresql', ''],
    ['postgresql://h/db@x', 'postgresql://h/db@x', '']
  ])('takes the password out of %s', (given, url, password) => {
    expect(splitDatabaseUrl(given)).toEqual({ url, password })
  })

  it.each([
    ['host=db password=s3cret', /is not a postgres:\/\/ or postgresql:\/\/ URL/],
    ['postgresql://app:s3cret%zz@h/db', /malformed %-escape in its password/],
    ['postgresql://app:s3cret%00@h/db', /NUL byte/]
  ])('refuses %j without quoting it', (given, message) => {
    expect(() => read({ backup: 'pg_dump', 'backup-database-url': given })).toThrow(message)
    expect(() => read({ backup: 'pg_dump', 'backup-database-url': given })).not.toThrow(/s3cret/)
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

describe('collectstatic', () => {
  it('builds its argv and reads what Django prints', () => {
    expect(collectstaticArgv('python3', { clear: true, settings: 'mysite.prod' })).toEqual([
      'python3',
      'manage.py',
      'collectstatic',
      '--noinput',
      '--clear',
      '--settings',
      'mysite.prod'
    ])
    expect(filesCopied("\n3 static files copied to '/static', 5 unmodified.\n")).toBe(3)
    expect(filesCopied("1 static file copied to '/static'.")).toBe(1)
    expect(filesCopied("0 static files copied to '/static', 6 unmodified.")).toBe(0)
  })

  it('explains the two usual failures in one line', () => {
    expect(explainFailure("ModuleNotFoundError: No module named 'django'")).toMatch(
      /Django is not importable/
    )
    expect(
      explainFailure(
        "django.core.exceptions.ImproperlyConfigured: You're using the staticfiles app without having set the STATIC_ROOT setting to a filesystem path."
      )
    ).toMatch(/STATIC_ROOT is not set/)
  })
})
