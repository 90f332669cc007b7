// Two seeds whose migrations are a command in a service, through
// .github/workflows/deploy.yml: 004 (FastAPI + Alembic, branch master:
// `exec api alembic upgrade head`, rollback `alembic downgrade -1`) and 003
// (a migrate binary run in a fresh container after a pg_dump: `run --rm
// backend ./main migrate up`, here Alembic's CLI in its place; its services
// updated one by one, as deploy.sh does). The API is
// stood in for by busybox httpd serving /health from the repository; Alembic
// and PostgreSQL are real. A release that adds revision 0003 and breaks
// /health is rolled back automatically: migration down, then the previous commit.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { httpText, projectContainers } from '../../testbed/apps.js'
import { alembicRevisionFile, createAlembicApp, DbApp } from '../../testbed/db-apps.js'
import {
  FlowRun,
  FlowTestbed,
  gitRemote,
  GitRemote,
  releaseLogLines,
  startFlowTestbed
} from '../../testbed/flow.js'
import { BUSYBOX_IMAGE } from '../../testbed/images.js'
import { freePort } from '../../testbed/ports.js'

/** Alembic revision 0003 (after the fixture's 0002) with these two function bodies. */
function revision0003(title: string, upgrade: string, downgrade: string): string {
  return alembicRevisionFile('0003', '0002', title, upgrade, downgrade)
}

const REVISION_0003 = revision0003(
  'add items.stock',
  "op.add_column('items', sa.Column('stock', sa.Integer(), nullable=False, server_default='0'))",
  "op.drop_column('items', 'stock')"
)

const REVISION_FAILS = revision0003('a revision that fails', "op.execute('select 1/0')", 'pass')

const SEEDS = [
  {
    seed: '004 (alembic in the api service, branch master)',
    branch: 'master',
    inputs: {
      'migrate-tool': 'alembic',
      'migrate-service': 'backend',
      'migrate-down-target': '-1'
    },
    downWords: 'database migrated down to 0002'
  },
  {
    seed: '003 (a migrate command in a fresh container, branch main)',
    branch: 'main',
    inputs: {
      'migrate-tool': 'command',
      'migrate-service': 'backend',
      'migrate-mode': 'run',
      'migrate-command': 'alembic upgrade head',
      'migrate-down-command': 'alembic downgrade -1',
      // deploy.sh migrates before any service changes, then updates its services in turn
      // (the first deploy starts the database as well).
      'migrate-before-start': true,
      strategy: 'one-by-one',
      services: 'backend\napi'
    },
    downWords: 'database migrated down'
  }
]

describe.each(SEEDS)('seed $seed through deploy.yml', ({ branch, inputs, downWords }) => {
  let bed: FlowTestbed
  let app: DbApp
  let remote: GitRemote
  let serverDir: string
  let port: number

  beforeAll(async () => {
    bed = await startFlowTestbed(branch === 'master' ? 'salon-gbp' : 'kasaneha')
    app = await createAlembicApp()
    port = await freePort()
    appendFileSync(
      join(app.dir, app.composeFile),
      `  api:
    image: ${BUSYBOX_IMAGE}
    volumes: ["./www:/www:ro"]
    ports: ["127.0.0.1:${port}:8080"]
    command: ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $$!; exit 0' TERM; wait"]
`
    )
    mkdirSync(join(app.dir, 'www'))
    writeFileSync(join(app.dir, 'www', 'health'), 'ok\n')
    // Keeps www/ in every commit: git removes an empty directory, and the bind mount would lose it.
    writeFileSync(join(app.dir, 'www', 'index.html'), 'salon\n')
    serverDir = join(bed.root, 'server', 'app')
    remote = gitRemote(app.dir, bed.root, branch)
  }, 30 * 60_000)

  afterAll(async () => {
    await app?.cleanup()
    await bed?.stop()
  })

  function deploy(sha: string): Promise<FlowRun> {
    return bed.deploy(
      {
        'app-dir': serverDir,
        repository: remote.bare,
        'compose-files': app.composeFile,
        'project-name': app.projectName,
        ...inputs,
        backup: 'pg_dump',
        'smoke-urls': `http://127.0.0.1:${port}/health`,
        'smoke-expect-status': '200',
        'smoke-wait-timeout': 8
      },
      sha,
      // The deploy job checks out the caller's repository (for its config file, here none).
      { checkoutFrom: remote.bare }
    )
  }

  const beforeStart = inputs['migrate-before-start'] === true

  it('deploys the exact commit of the branch and upgrades to head after a backup', async () => {
    const v1 = await remote.commit('v1')
    const { jobs, run } = await deploy(v1)
    if (run.code !== 0) throw new Error(run.output)
    if (beforeStart) {
      const migrating = run.output.indexOf('Migrating before the new release starts')
      expect(migrating).toBeGreaterThan(0)
      expect(migrating).toBeLessThan(run.output.indexOf('up -d --no-deps backend'))
    }
    expect(jobs.deploy.result).toBe('success')
    expect(await app.psql('select version_num from alembic_version')).toBe('0002')
    expect(run.outputs['backup-file']).toMatch(
      /\/backups\/deploykit-postgres-\d{8}T\d{6}Z\.sql\.gz$/
    )
    expect(await httpText(`http://127.0.0.1:${port}/health`)).toBe('ok\n')
  })

  it('rolls back a release whose health check fails: alembic downgrade -1, then the previous commit', async () => {
    const v1 = remote.head()
    writeFileSync(join(app.dir, 'migrations', 'versions', '0003_items_stock.py'), REVISION_0003)
    rmSync(join(app.dir, 'www', 'health'))
    const v2 = await remote.commit('v2: adds items.stock and loses /health')
    const { jobs, run } = await deploy(v2)
    expect(jobs.deploy.result).toBe('failure')
    expect(jobs.deploy.outputs['rolled-back']).toBe('true')
    expect(run.output).toMatch(
      new RegExp(
        `Rolled back, each host to the release it ran before: .*back on release \\S+ \\(${v1.slice(0, 12)}\\).*${downWords}`
      )
    )
    expect(await app.psql('select version_num from alembic_version')).toBe('0002')
    expect(
      await app.psql(
        "select count(*) from information_schema.columns where table_name = 'items' and column_name = 'stock'"
      )
    ).toBe('0')
    expect(await httpText(`http://127.0.0.1:${port}/health`)).toBe('ok\n')
    const log = releaseLogLines(
      readFileSync(join(serverDir, '.deploy-kit', 'releases.jsonl'), 'utf8')
    )
    const broken = log.find(x => x.ref === v2)?.id
    // The root action records a release succeeded only after its smoke check, which this one failed.
    expect(
      log
        .filter(x => x.id === broken)
        .map(x => x.status)
        .filter(Boolean)
    ).toEqual(['started', 'failed'])
  })

  if (beforeStart) {
    it('leaves every container as it was when the migration fails before the start', async () => {
      const before = await projectContainers(app.projectName)
      writeFileSync(join(app.dir, 'www', 'health'), 'ok\n')
      writeFileSync(join(app.dir, 'migrations', 'versions', '0003_items_stock.py'), REVISION_FAILS)
      const v3 = await remote.commit('v3: a migration that fails')
      const { jobs, run } = await deploy(v3)
      expect(jobs.deploy.result).toBe('failure')
      expect(run.output).toMatch(/migration failed \(command, exit 1\).*division by zero/)
      expect(await projectContainers(app.projectName)).toEqual(before)
      expect(await app.psql('select version_num from alembic_version')).toBe('0002')
      expect(await httpText(`http://127.0.0.1:${port}/health`)).toBe('ok\n')
    })
  }
})
