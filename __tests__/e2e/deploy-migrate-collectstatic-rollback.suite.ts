// Seed 001's flow (Django + PostgreSQL + nginx, branch main) run through the
// reusable workflow .github/workflows/deploy.yml itself — its jobs, `if:`s
// and `with:`s. The test job runs the app's Django tests on the runner; the
// deploy job runs the root action's bundle under Node 24: ssh-deploy → migrate
// (with a backup) → collectstatic → smoke-check, and the automatic rollback of
// a release whose smoke check fails. GitHub's deployment API is the recording
// stand-in of fake-github-api.ts; actions/checkout the stand-in of flow.ts.
// Run twice: deploy-migrate-collectstatic-rollback.test.ts on Compose v2 (found by detection), and
// deploy-migrate-collectstatic-rollback-compose-v1.test.ts with `compose-command: docker-compose`,
// the runbook's own `docker-compose -f docker-compose.prod.yml up -d --build`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { httpText } from '../../testbed/apps.js'
import { DEBIAN_PYTHON, ensurePythonModule } from '../../testbed/debian-packages.js'
import { createDjangoApp, DjangoApp } from '../../testbed/db-apps.js'
import {
  FlowRun,
  FlowTestbed,
  gitRemote,
  GitRemote,
  releaseLogLines,
  startFlowTestbed
} from '../../testbed/flow.js'
import { composeUnderTest } from './compose-under-test.js'

let bed: FlowTestbed
let app: DjangoApp
let remote: GitRemote
let serverDir: string

beforeAll(async () => {
  ensurePythonModule('django', 'python3-django')
  bed = await startFlowTestbed('thinkring')
  app = await createDjangoApp()
  serverDir = join(bed.root, 'server', 'thinkring')
  remote = gitRemote(app.dir, bed.root, 'main')
}, 30 * 60_000)

afterAll(async () => {
  await app?.cleanup()
  await bed?.stop()
})

function deploy(sha: string, extra: Record<string, unknown> = {}): Promise<FlowRun> {
  return bed.deploy(
    {
      'app-dir': serverDir,
      repository: remote.bare,
      'compose-files': app.composeFile,
      'project-name': app.projectName,
      'compose-command': composeUnderTest.choice,
      'migrate-tool': 'django',
      'migrate-down-target': 'shop 0002',
      backup: 'pg_dump',
      collectstatic: true,
      'collectstatic-clear': true,
      'smoke-urls': `http://127.0.0.1:${app.nginxPort}/static/shop/hello.txt`,
      'smoke-expect-status': '200',
      'smoke-wait-timeout': 8,
      'environment-url': `http://127.0.0.1:${app.nginxPort}/`,
      // As the example's test job, with Debian's Django in place of a virtualenv from PyPI.
      'test-framework': 'django',
      'test-command': `DJANGO_TEST_SQLITE=1 ${DEBIAN_PYTHON} manage.py test --noinput -v 2`,
      ...extra
    },
    sha,
    { checkoutFrom: remote.bare }
  )
}

const productColumns = () =>
  app.psql(
    "select string_agg(column_name, ',' order by column_name) from information_schema.columns where table_name = 'shop_product'"
  )

describe('seed 001 flow through deploy.yml', () => {
  it('deploys, migrates, collects static files and passes the smoke check', async () => {
    const v1 = await remote.commit('v1')
    const { jobs, run: r } = await deploy(v1)
    if (r.code !== 0) throw new Error(r.output)
    expect(r.output).toContain(
      composeUnderTest.choice === 'docker-compose'
        ? 'Compose: docker-compose'
        : 'Compose: docker compose'
    )
    expect([jobs.test.result, jobs.build.result, jobs.deploy.result]).toEqual([
      'success',
      'skipped',
      'success'
    ])
    expect(jobs.test.steps.find(s => s.uses === '$/test')?.run?.outputs).toMatchObject({
      passed: '2',
      failed: '0'
    })
    expect(jobs.deploy.outputs).toMatchObject({ 'deployed-ref': v1, 'rolled-back': 'false' })
    expect(r.outputs).toMatchObject({
      'deployed-ref': v1,
      'rolled-back': 'false',
      'previous-ref': ''
    })
    expect(r.outputs['backup-file']).toMatch(/deploykit-postgres-\d{8}T\d{6}Z\.sql\.gz$/)
    expect(await httpText(`http://127.0.0.1:${app.nginxPort}/static/shop/hello.txt`)).toBe(
      'hello static\n'
    )
    expect(await productColumns()).toBe('id,name,price')
    const states = bed.api.calls
      .filter(c => c.method === 'POST' && c.path.endsWith('/statuses'))
      .map(c => c.body.state)
    expect(states).toEqual(['in_progress', 'success'])
    // One deployment in the environment's history: the root action's. The job names the
    // environment with `deployment: false`, so GitHub records none for it.
    expect(
      bed.api.calls.filter(c => c.method === 'POST' && c.path.endsWith('/deployments'))
    ).toEqual([
      expect.objectContaining({
        path: '/repos/acme/thinkring/deployments',
        body: expect.objectContaining({ ref: v1, environment: 'production' })
      })
    ])
    expect(jobs.deploy.deployment).toBeUndefined()
    expect(
      bed.api.calls.find(c => c.method === 'POST' && c.path.endsWith('/statuses'))?.body
    ).toMatchObject({
      environment_url: `http://127.0.0.1:${app.nginxPort}/`,
      log_url: expect.stringMatching(/\/actions\/runs\//)
    })
    expect(r.output).not.toContain('ghs_workflowtoken')
  })

  it('rolls a release whose smoke check fails back: migration down, previous code, static files again', async () => {
    bed.api.calls.length = 0
    const v1 = remote.head()
    writeFileSync(
      join(app.dir, 'shop', 'migrations', '0003_product_stock.py'),
      [
        'from django.db import migrations, models',
        '',
        '',
        'class Migration(migrations.Migration):',
        "    dependencies = [('shop', '0002_product_price')]",
        "    operations = [migrations.AddField('product', 'stock', models.IntegerField(default=0))]",
        ''
      ].join('\n')
    )
    // The model gets the field too, or the test job would stop the release (NOT NULL stock).
    writeFileSync(
      join(app.dir, 'shop', 'models.py'),
      readFileSync(join(app.dir, 'shop', 'models.py'), 'utf8') +
        '    stock = models.IntegerField(default=0)\n'
    )
    rmSync(join(app.dir, 'shop', 'static', 'shop', 'hello.txt'))
    writeFileSync(join(app.dir, 'shop', 'static', 'shop', 'other.txt'), 'moved\n')
    const v2 = await remote.commit('v2: breaks the static file the health check reads')

    const { jobs, run: r } = await deploy(v2)
    expect(jobs.deploy.result).toBe('failure')
    expect(jobs.deploy.outputs['rolled-back']).toBe('true')
    expect(r.code).toBe(1)
    expect(r.outputs['rolled-back']).toBe('true')
    expect(r.output).toMatch(
      new RegExp(
        `::error::smoke-check: 1 of 1 check\\(s\\) failed.*Rolled back, each host to the release it ran before: .*back on release \\S+ \\(${v1.slice(0, 12)}\\).*database migrated down to`
      )
    )
    expect(await httpText(`http://127.0.0.1:${app.nginxPort}/static/shop/hello.txt`)).toBe(
      'hello static\n'
    )
    expect(await productColumns()).toBe('id,name,price')
    expect(
      execFileSync('git', ['-C', serverDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()
    ).toBe(v1)
    const log = releaseLogLines(
      readFileSync(join(serverDir, '.deploy-kit', 'releases.jsonl'), 'utf8')
    )
    const v2Release = log.find(x => x.ref === v2)?.id
    // The root action records a release succeeded only after its smoke check, which this one failed.
    expect(
      log
        .filter(x => x.id === v2Release)
        .map(x => x.status)
        .filter(Boolean)
    ).toEqual(['started', 'failed'])
    expect(log[log.length - 2]).toMatchObject({ status: 'succeeded' })
    const states = bed.api.calls
      .filter(c => c.method === 'POST' && c.path.endsWith('/statuses'))
      .map(c => c.body.state)
    expect(states).toEqual(['in_progress', 'failure'])
  })

  // Seed 001's shape: the code is in the backend image, collectstatic-clear is off (its default).
  // A rollback restores the old release's image, whose static sources are older than the copies
  // the failed release left in the volume; Django's collectstatic skips a file whose copy is newer.
  const itOnce = composeUnderTest.choice === 'auto' ? it : it.skip
  itOnce('after a rollback serves the static files of the release it went back to', async () => {
    const staticDir = join(app.dir, 'shop', 'static', 'shop')
    const style = `http://127.0.0.1:${app.nginxPort}/static/shop/style.css`
    app.buildBackend()
    writeFileSync(join(staticDir, 'style.css'), 'body { color: black } /* v3 */\n')
    writeFileSync(join(staticDir, 'health.json'), '{"status": "ok"}\n')
    const v3 = await remote.commit('v3: the backend image holds the code')
    // Only the stages this needs: no test job, no migration, no dump.
    const smoke = {
      build: true,
      'collectstatic-clear': false,
      'test-framework': 'none',
      'migrate-tool': 'none',
      backup: 'none',
      'smoke-wait-timeout': 2,
      'smoke-urls': `http://127.0.0.1:${app.nginxPort}/static/shop/health.json`,
      'smoke-expect-json': 'status=ok'
    }
    const first = await deploy(v3, smoke)
    if (first.run.code !== 0) throw new Error(first.run.output)
    expect(await httpText(style)).toBe('body { color: black } /* v3 */\n')

    writeFileSync(join(staticDir, 'style.css'), 'body { color: red } /* v4 */\n')
    writeFileSync(join(staticDir, 'health.json'), '{"status": "broken"}\n')
    writeFileSync(join(staticDir, 'v4-only.css'), 'p { margin: 0 }\n')
    const v4 = await remote.commit(
      'v4: a new stylesheet and a health file that fails the smoke check'
    )
    const { run: r } = await deploy(v4, smoke)
    expect(r.code).toBe(1)
    expect(r.outputs['rolled-back']).toBe('true')
    expect(r.output).toMatch(
      new RegExp(
        `Rolled back, each host to the release it ran before: .*back on release \\S+ \\(${v3.slice(0, 12)}\\)`
      )
    )
    expect(await httpText(style)).toBe('body { color: black } /* v3 */\n')
    expect(await httpText(`http://127.0.0.1:${app.nginxPort}/static/shop/health.json`)).toBe(
      '{"status": "ok"}\n'
    )
    // A file only the failed release had is no longer served.
    expect(await httpText(`http://127.0.0.1:${app.nginxPort}/static/shop/v4-only.css`, 1)).toBe('')
    // The log says what was done and why, from the host's release log.
    expect(r.output).toContain(
      `went back to release ${first.run.outputs['release-id']}, and STATIC_ROOT must end with that release's files`
    )
    expect(r.output).toContain('manage.py collectstatic --noinput --clear')
    expect(r.output).toMatch(/✔ rollback: collectstatic: .* copied with --clear, after a rollback/)
  })
})
