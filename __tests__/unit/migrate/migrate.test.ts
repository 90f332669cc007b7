import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectstaticArgv, explainFailure, filesCopied } from '../../../src/collectstatic/main.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { toShell } from '../../../src/core/remote-command.js'
import {
  backupFileName,
  isOwnBackup,
  verifyCommand,
  writeDumpCommand
} from '../../../src/migrate/backup.js'
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
