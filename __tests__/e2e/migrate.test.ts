// migrate and collectstatic bundles under Node 24 against real apps: Django
// 3.2 and Alembic in the Debian image, PostgreSQL 15 in a container, nginx
// serving the collected files, through a real sshd and Compose v2.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { quote } from '../../src/core/shell.js'
import { imagesAndLinks, MARKDOWN_PAYLOAD, summaryText } from '../helpers/rendered-summary.js'
import { ActionRun, runAction } from '../../testbed/action-runner.js'
import { httpText } from '../../testbed/apps.js'
import { sampleArgv, SamplerReport } from '../../testbed/argv-sampler.js'
import {
  createAlembicApp,
  createDjangoApp,
  DbApp,
  DjangoApp,
  PASSWORD_ROLE
} from '../../testbed/db-apps.js'
import { filesHolding } from '../../testbed/files-holding.js'
import { ensureDocker, stopDocker } from '../../testbed/docker.js'
import { ensureBaseImages } from '../../testbed/images.js'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { runChecked } from '../../testbed/run.js'
import { startSshHosts, SshHosts } from '../../testbed/ssh-hosts.js'

let hosts: SshHosts
let dockerPid: number | undefined
let django: DjangoApp
let alembic: DbApp

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  hosts = await startSshHosts(1)
  django = await createDjangoApp()
  alembic = await createAlembicApp()
  await Promise.all([django.start(), alembic.start()])
}, 30 * 60_000)

afterAll(async () => {
  await django?.cleanup()
  await alembic?.cleanup()
  await hosts?.stop()
  if (dockerPid) await stopDocker(dockerPid)
})

function action(name: string, app: DbApp, inputs: Record<string, string>): Promise<ActionRun> {
  return runAction(name, {
    host: hosts.hostInput(1),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'app-dir': app.dir,
    'compose-files': app.composeFile,
    'project-name': app.projectName,
    ...inputs
  })
}

function expectOk(r: ActionRun): void {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.output}`)
}

const tables = (app: DbApp) =>
  app.psql(
    "select string_agg(table_name, ',' order by table_name) from information_schema.tables where table_schema = 'public'"
  )
const columns = (app: DbApp, table: string) =>
  app.psql(
    `select string_agg(column_name, ',' order by column_name) from information_schema.columns where table_name = '${table}'`
  )

describe('django', () => {
  it('applies the migrations with python3 found in the image, then has nothing left to apply', async () => {
    const r = await action('migrate', django, { tool: 'django' })
    expectOk(r)
    expect(await tables(django)).toBe('blog_post,django_migrations,shop_product')
    expect(r.outputs).toMatchObject({
      applied: '3',
      'from-revision': 'zero',
      'to-revision': 'blog.0001_initial shop.0002_product_price'
    })
    expect(r.output).toMatch(/python3 manage\.py migrate --noinput/)
    expect(r.summary).toContain('shop.0002_product_price')

    const again = await action('migrate', django, { tool: 'django' })
    expectOk(again)
    expect(again.outputs.applied).toBe('0')
    expect(again.output).toContain('nothing to apply')
  })

  it('shows the plan without changing anything, and migrates down to a target', async () => {
    const plan = await action('migrate', django, {
      tool: 'django',
      direction: 'down',
      target: 'shop 0001',
      'plan-only': 'true'
    })
    expectOk(plan)
    expect(plan.output).toMatch(
      /Planned operations:[\s\S]*Undo Add field price to product|Planned operations:[\s\S]*shop\.0002_product_price/
    )
    expect(await columns(django, 'shop_product')).toBe('id,name,price')

    const down = await action('migrate', django, {
      tool: 'django',
      direction: 'down',
      target: 'shop 0001'
    })
    expectOk(down)
    expect(await columns(django, 'shop_product')).toBe('id,name')
    expect(down.outputs['to-revision']).toBe('blog.0001_initial shop.0001_initial')
    expect(down.summary).toContain('reverted')
  })

  it('refuses to migrate when the backup cannot be written, leaving the schema as it was', async () => {
    const r = await action('migrate', django, {
      tool: 'django',
      backup: 'pg_dump',
      'backup-dir': '/proc/deploykit-backups'
    })
    expect(r.code).toBe(1)
    expect(r.output).toMatch(/::error::.*backup failed .*nothing was migrated/)
    expect(await columns(django, 'shop_product')).toBe('id,name')
  })

  it('takes a verified dump first that restores into a fresh database with the same rows', async () => {
    const r = await action('migrate', django, { tool: 'django', backup: 'pg_dump' })
    expectOk(r)
    const file = r.outputs['backup-file']
    expect(file).toMatch(
      new RegExp(`^${django.dir}/backups/deploykit-postgres-\\d{8}T\\d{6}Z\\.sql\\.gz$`)
    )
    expect(existsSync(file)).toBe(true)
    expect(r.summary).toContain(`gzip -dc ${file}`)
    expect(await columns(django, 'shop_product')).toBe('id,name,price')

    await django.psql("insert into shop_product (name, price) values ('tea', 3), ('cake', 5)")
    const second = await action('migrate', django, { tool: 'django', backup: 'pg_dump' })
    expectOk(second)
    await django.psql('create database restored')
    await runChecked('sh', [
      '-c',
      'gzip -dc "$1" | docker compose -p "$2" -f "$3/docker-compose.yml" exec -T db psql -q -v ON_ERROR_STOP=1 -d restored',
      'sh',
      second.outputs['backup-file'],
      django.projectName,
      django.dir
    ])
    expect(await django.psql('select count(*) from shop_product', 'restored')).toBe('2')
    expect(await django.psql('select count(*) from django_migrations', 'restored')).toBe(
      await django.psql('select count(*) from django_migrations')
    )
  })

  // The server's process list as any user on it sees it, sampled every few milliseconds
  // while the action runs: the runbook's `pg_dump --dbname=postgres://user:PASSWORD@…`
  // showed the password there for the whole dump. A lock on a table holds pg_dump
  // until the sampler has seen it, so the sampling covers it for sure.
  it('keeps the database password out of every argv and file on the server, and the dump restores', async () => {
    const password = `Pw'${randomBytes(6).toString('hex')} $(id) @:/?&%#`
    const encoded = encodeURIComponent(password)
    await django.psql(
      `create role ${PASSWORD_ROLE} login superuser password '${password.replace(/'/g, "''")}'`
    )
    await django.psql(
      'create table deploykit_probe (n int); insert into deploykit_probe values (1), (2), (3)'
    )
    const marks = mkdtempSync(join(tmpdir(), 'deploykit-mark-'))
    const since = join(marks, 'start')
    writeFileSync(since, '')
    const dumpArgv = (argv: string) => /^(\S*\/)?pg_dump --clean /.test(argv)
    const cases: Array<{ where: string; inputs: Record<string, string> }> = [
      {
        where: 'pg_dump on the server',
        inputs: {
          'backup-database-url': `postgresql://${PASSWORD_ROLE}:${encoded}@127.0.0.1:${django.dbPort}/postgres`,
          'backup-database': 'viaurl'
        }
      },
      {
        where: 'pg_dump in the db service',
        inputs: {
          'backup-database-url': `postgresql://${PASSWORD_ROLE}:${encoded}@localhost/postgres`,
          'backup-service': 'db',
          'backup-database': 'viaservice'
        }
      }
    ]
    try {
      for (const { where, inputs } of cases) {
        const sampler = sampleArgv([password, encoded, 'pg_dump'])
        let report: SamplerReport
        let r: ActionRun
        try {
          const lock = await django.lockTable('deploykit_probe')
          try {
            const running = action('migrate', django, {
              tool: 'django',
              backup: 'pg_dump',
              ...inputs
            })
            await sampler.seen('pg_dump', dumpArgv)
            await lock.release()
            r = await running
          } finally {
            await lock.release()
          }
        } finally {
          report = await sampler.stop()
        }
        expectOk(r)
        expect({ where, hits: [...report.hits[password], ...report.hits[encoded]] }).toEqual({
          where,
          hits: []
        })
        expect(report.hits.pg_dump.filter(dumpArgv)).toContainEqual(
          expect.stringContaining(`--dbname=postgresql://${PASSWORD_ROLE}@`)
        )
        expect(r.output).not.toContain(encoded)
        expect(r.output).toContain("PGPASSWORD='***'")
        expect(r.summary).toContain('with PGPASSWORD exported')

        const restored = `restored_${inputs['backup-database']}`
        await django.psql(`create database ${restored}`)
        await runChecked('sh', [
          '-c',
          'gzip -dc "$1" | docker compose -p "$2" -f "$3/docker-compose.yml" exec -T db psql -q -v ON_ERROR_STOP=1 -d "$4"',
          'sh',
          r.outputs['backup-file'],
          django.projectName,
          django.dir,
          restored
        ])
        expect(await django.psql('select count(*) from deploykit_probe', restored)).toBe('3')
      }
      expect(filesHolding([password, encoded], since)).toEqual([])
    } finally {
      rmSync(marks, { recursive: true, force: true })
      await django.psql('drop table deploykit_probe')
    }
  })

  it('keeps only backup-keep of its own dumps and never touches other files', async () => {
    const dir = join(django.dir, 'backups')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'notes.sql.gz'), 'not ours')
    writeFileSync(join(dir, 'deploykit-otherdb-20200101T000000Z.sql.gz'), 'another database')
    for (let i = 0; i < 4; i++) {
      expectOk(
        await action('migrate', django, { tool: 'django', backup: 'pg_dump', 'backup-keep': '2' })
      )
      await new Promise(r => setTimeout(r, 1100)) // names have one-second resolution
    }
    const files = readdirSync(dir).sort()
    expect(files.filter(f => f.startsWith('deploykit-postgres-'))).toHaveLength(2)
    expect(files).toContain('notes.sql.gz')
    expect(files).toContain('deploykit-otherdb-20200101T000000Z.sql.gz')
  })

  it('collects static files that nginx then serves', async () => {
    const r = await action('collectstatic', django, { clear: 'true' })
    expectOk(r)
    expect(r.outputs['files-copied']).toBe('1')
    expect(await httpText(`http://127.0.0.1:${django.nginxPort}/static/shop/hello.txt`)).toBe(
      'hello static\n'
    )
  })

  it('says plainly when STATIC_ROOT is not set', async () => {
    writeFileSync(
      join(django.dir, 'mysite', 'nostatic.py'),
      'from .settings import *  # noqa\nSTATIC_ROOT = None\n'
    )
    const r = await action('collectstatic', django, { settings: 'mysite.nostatic' })
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /::error::.*collectstatic failed: STATIC_ROOT is not set in the Django settings/
    )
  })

  it('keeps what collectstatic printed as text in the summary, as GitHub renders it', async () => {
    writeFileSync(
      join(django.dir, 'mysite', 'hostile.py'),
      `from .settings import *  # noqa\nraise RuntimeError(${JSON.stringify(MARKDOWN_PAYLOAD)})\n`
    )
    const r = await action('collectstatic', django, { settings: 'mysite.hostile' })
    expect(r.code).toBe(1)
    expect(imagesAndLinks(r.summary)).toEqual([])
    expect(summaryText(r.summary)).toContain(
      `collectstatic failed: RuntimeError: ${MARKDOWN_PAYLOAD}`
    )
  })

  it('reports a migration that raises, with the tool error and the backup path', async () => {
    django.addFailingMigration()
    const r = await action('migrate', django, { tool: 'django', backup: 'pg_dump' })
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /::error::.*migration failed \(django, exit 1\): RuntimeError: boom.*The backup taken before it is (\S+\.sql\.gz); the database is as the tool left it/
    )
    const file = /The backup taken before it is (\S+\.sql\.gz)/.exec(r.output)?.[1] ?? ''
    expect(existsSync(file)).toBe(true)
  })
})

describe('alembic, command and one-shot services', () => {
  it('upgrades to head and goes down one revision', async () => {
    const up = await action('migrate', alembic, { tool: 'alembic' })
    expectOk(up)
    expect(await alembic.psql('select version_num from alembic_version')).toBe('0002')
    expect(up.outputs).toMatchObject({ 'from-revision': 'base', 'to-revision': '0002' })
    const down = await action('migrate', alembic, {
      tool: 'alembic',
      direction: 'down',
      target: '-1'
    })
    expectOk(down)
    expect(await alembic.psql('select version_num from alembic_version')).toBe('0001')
    expect(down.outputs['to-revision']).toBe('0001')
  })

  it('runs any command, in a fresh container with mode: run', async () => {
    const r = await action('migrate', alembic, {
      tool: 'command',
      mode: 'run',
      command: 'alembic upgrade head && echo "done: $((40 + 2))"'
    })
    expectOk(r)
    expect(r.output).toContain('done: 42')
    expect(await alembic.psql('select version_num from alembic_version')).toBe('0002')
  })

  it('keeps what the tool printed as text in the summary, as GitHub renders it', async () => {
    const r = await action('migrate', alembic, {
      tool: 'command',
      mode: 'run',
      command: `printf '%s\\n\\n%s\\n' ${quote(MARKDOWN_PAYLOAD)} 'and more' >&2; exit 1`
    })
    expect(r.code).toBe(1)
    expect(imagesAndLinks(r.summary)).toEqual([])
    expect(summaryText(r.summary)).toContain(
      `migration failed (command, exit 1): ${MARKDOWN_PAYLOAD}`
    )
  })

  it('runs a one-shot migrator service and fails with its exit code and logs when it fails', async () => {
    const ok = await action('migrate', django, { tool: 'service', service: 'migrator' })
    expectOk(ok)
    expect(ok.output).toContain('migrator ran')
    const bad = await action('migrate', django, { tool: 'service', service: 'bad-migrator' })
    expect(bad.code).toBe(1)
    expect(bad.output).toContain('migrator failed on purpose')
    expect(bad.output).toMatch(
      /::error::.*migration failed \(service, exit 3\): migrator failed on purpose/
    )
  })
})
