// Two hosts of the fleet testbed share one PostgreSQL, which runs in host 0's
// engine with its port published on host 0's address. The root action runs in
// this process and uploads an Alembic app (real Alembic in the Debian image)
// plus busybox httpd as the API: the database is migrated once, on one host
// (the first, or migrate-host, also with migrate-before-start), after one
// dump; a rollback after a failing smoke check migrates down to the revision
// recorded before the deploy after a fresh dump; a down-migration
// that fails leaves the new release's code running and says where the
// database is; with restore-on-failure, the dump taken just before the
// down-migration is restored in one transaction.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run, setOutputs } from '../../../src/whole-deploy/main.js'
import { readRootSettings } from '../../../src/whole-deploy/root-settings.js'
import { readReleaseLog, ReleaseRecord } from '../../../src/ssh-deploy/release-log.js'
import { InProcessAction, InProcessRun, throughEntry } from '../../helpers/in-process-action.js'
import { httpText } from '../../../testbed/apps.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { FleetHost, FleetHosts, startFleetHosts } from '../../../testbed/fleet-hosts.js'
import { FLEET_DB_PORT as DB_PORT, startFleetDatabase } from '../../../testbed/fleet-database.js'
import { ALEMBIC_SOURCES, alembicRevisionFile } from '../../../testbed/db-apps.js'
import { BUSYBOX_IMAGE, DEBIAN_IMAGE } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'

const API_PORT = 8080
const APP_DIR = '/srv/shop'
const BACKUPS = `${APP_DIR}/backups`

let dockerPid: number | undefined
let fleet: FleetHosts
let db: { host: FleetHost; container: string; url: string }
let work: string
let app: string
let action: InProcessAction

async function psql(sql: string): Promise<string> {
  const { stdout } = await host0Docker([
    'exec',
    db.container,
    'psql',
    '-X',
    '-q',
    '-At',
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    sql
  ])
  return stdout.replace(/\n$/, '')
}

async function host0Docker(args: string[]) {
  const result = await db.host.engine.docker(args)
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr}`)
  return result
}

/** The dumps in the backup dir of each host, as its own disk holds them. */
async function dumps(): Promise<number[]> {
  return Promise.all(
    fleet.hosts.map(async h => {
      const listed = await h.exec(['sh', '-c', `ls -1 ${BACKUPS} 2>/dev/null || true`])
      return listed.stdout.split('\n').filter(name => /\.sql\.gz$/.test(name)).length
    })
  )
}

/** The release as the host's own release log holds it. */
async function loggedRelease(h: FleetHost, id: string): Promise<ReleaseRecord | undefined> {
  const log = await h.exec(['cat', `${APP_DIR}/.deploy-kit/releases.jsonl`])
  return readReleaseLog(log.stdout).records.find(r => r.id === id)
}

/** The sha256 and size of a file on the host's disk. */
async function fileSum(h: FleetHost, file: string): Promise<{ sha256: string; sizeBytes: number }> {
  const sum = await h.exec(['sha256sum', file])
  const size = await h.exec(['stat', '-c', '%s', file])
  if (sum.code !== 0 || size.code !== 0) throw new Error(`${file} on ${h.address}: ${sum.stderr}`)
  return { sha256: sum.stdout.split(' ')[0], sizeBytes: Number(size.stdout.trim()) }
}

const versions = () => httpTexts('version')
const httpTexts = (file: string) =>
  Promise.all(fleet.hosts.map(h => httpText(`http://${h.address}:${API_PORT}/${file}`)))

function revision(id: string, down: string, upgrade: string, downgrade: string): string {
  return alembicRevisionFile(id, down, `revision ${id}`, upgrade, downgrade)
}

const STOCK = revision(
  '0003',
  '0002',
  "op.add_column('items', sa.Column('stock', sa.Integer(), nullable=False, server_default='0'))",
  "op.drop_column('items', 'stock')"
)
const SKU = revision(
  '0004',
  '0003',
  "op.add_column('items', sa.Column('sku', sa.Text()))",
  "op.drop_column('items', 'sku')"
)
const STUCK = revision(
  '0003',
  '0002',
  "op.add_column('items', sa.Column('stock', sa.Integer(), nullable=False, server_default='0'))",
  "op.execute('select 1/0')"
)

/**
 * Writes the release's tree: its compose file, migrations, and the API's files
 * (/health only when healthy). The release's name is a label of each service,
 * so each release's containers are made anew and bind its own directory.
 */
function release(name: string, extra: Record<string, string>, healthy: boolean): void {
  writeFileSync(
    join(app, 'docker-compose.yml'),
    `services:
  backend:
    image: ${DEBIAN_IMAGE}
    labels: { shop.release: ${name} }
    working_dir: /app
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"]
    environment:
      PYTHONDONTWRITEBYTECODE: "1"
      DATABASE_URL: ${JSON.stringify(db.url)}
    volumes: ["./:/app"]
  api:
    image: ${BUSYBOX_IMAGE}
    labels: { shop.release: ${name} }
    volumes: ["./www:/www:ro"]
    ports: ["${API_PORT}:8080"]
    command: ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $$!; exit 0' TERM; wait"]
`
  )
  const versionsDir = join(app, 'migrations', 'versions')
  for (const file of ['0003.py', '0004.py']) rmSync(join(versionsDir, file), { force: true })
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(versionsDir, file), text)
  writeFileSync(join(app, 'www', 'version'), `${name}\n`)
  if (healthy) writeFileSync(join(app, 'www', 'health'), 'ok\n')
  else rmSync(join(app, 'www', 'health'), { force: true })
}

let deploys = 0
function deploy(extra: Record<string, string> = {}): Promise<InProcessRun> {
  deploys += 1
  action.setEnv({ GITHUB_SHA: String(deploys).repeat(40) })
  return action.runAction({
    host: fleet.hostInput(2),
    key: fleet.key.privateKey,
    'known-hosts': fleet.knownHosts(),
    'app-dir': APP_DIR,
    source: 'upload',
    'upload-path': app,
    'project-name': 'shop',
    'migrate-tool': 'alembic',
    'migrate-service': 'backend',
    'migrate-down-target': '-1',
    backup: 'pg_dump',
    'backup-service': 'backend',
    'backup-database-url': db.url,
    'smoke-urls': `http://${fleet.hosts[0].address}:${API_PORT}/health`,
    'smoke-expect-status': '200',
    'smoke-wait-timeout': '2',
    ...extra
  })
}

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  fleet = await startFleetHosts(2, { images: [DEBIAN_IMAGE, BUSYBOX_IMAGE] })
  const host = fleet.hosts[0]
  db = {
    host,
    container: await startFleetDatabase(host, [fleet.subnet]),
    url: `postgresql://postgres@${host.address}:${DB_PORT}/postgres`
  }
  work = mkdtempSync(join(tmpdir(), 'migrate-once-'))
  app = join(work, 'app')
  cpSync(ALEMBIC_SOURCES, app, { recursive: true })
  mkdirSync(join(app, 'www'))
  action = new InProcessAction(
    throughEntry(read => ({ readSettings: () => readRootSettings(read), run, setOutputs })),
    { GITHUB_REPOSITORY: 'org/shop' }
  )
}, 10 * 60_000)

afterAll(async () => {
  action?.remove()
  if (work) rmSync(work, { recursive: true, force: true })
  await fleet?.stop()
  if (dockerPid) await stopDocker(dockerPid)
})

it('migrates the shared database once, on the first host, after one dump', async () => {
  release('v1', {}, true)
  const r = await deploy()
  if (r.failed) throw new Error(r.output)
  expect(await psql('select version_num from alembic_version')).toBe('0002')
  expect(await psql('select count(*) from alembic_version')).toBe('1')
  expect(count(r.output, /Running upgrade +-> 0001/g)).toBe(1)
  expect(count(r.output, /Running upgrade 0001 -> 0002/g)).toBe(1)
  expect(await dumps()).toEqual([1, 0])
  expect(r.outputs['migrate-from-revision']).toBe('base')
  expect(await versions()).toEqual(['v1\n', 'v1\n'])
  // The release log on the migrate host keeps the dump under the release: the file as it is on
  // that disk, and what its proof found. The other host's log names no backup.
  const logged = await loggedRelease(fleet.hosts[0], r.outputs['release-id'])
  const file = r.outputs['backup-file']
  expect(logged?.backup).toEqual({
    file,
    host: `root@${fleet.servers[0].address}:${fleet.servers[0].port}`,
    takenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    verify: 'restore',
    ...(await fileSum(fleet.hosts[0], file)),
    tables: 0,
    proofSeconds: expect.any(Number)
  })
  expect((await loggedRelease(fleet.hosts[1], r.outputs['release-id']))?.backup).toBeUndefined()
  expect(r.outputs['backup-sha256']).toBe(logged?.backup?.sha256)
  expect(r.outputs['backup-size']).toBe(String(logged?.backup?.sizeBytes))
})

it('rolls back after a failing smoke check: a fresh dump on the migrate host, then down to the recorded revision', async () => {
  release('v2', { '0003.py': STOCK, '0004.py': SKU }, false)
  const second = fleet.servers[1]
  const r = await deploy({
    'migrate-host': `root@${second.address}:${second.port}`,
    'migrate-before-start': 'true',
    'migrate-mode': 'run'
  })
  expect(r.failed).toBe(true)
  expect(r.outputs['rolled-back']).toBe('true')
  expect(r.outputs['migrate-from-revision']).toBe('0002')
  // Down to 0002, where the database was before: not `-1` (0003).
  expect(await psql('select version_num from alembic_version')).toBe('0002')
  expect(
    await psql(
      "select string_agg(column_name, ',' order by column_name) from information_schema.columns where table_name = 'items'"
    )
  ).toBe('id,name,price')
  expect(count(r.output, /Running upgrade 0002 -> 0003/g)).toBe(1)
  expect(count(r.output, /Running downgrade 0004 -> 0003/g)).toBe(1)
  // One dump before the migration up, one before the migration down, both on the migrate host.
  expect(await dumps()).toEqual([1, 2])
  const down = r.output.indexOf('rollback: migrate down')
  expect(r.output.indexOf('Backup written and verified', down)).toBeGreaterThan(down)
  expect(r.output.indexOf('Backup written and verified', down)).toBeLessThan(
    r.output.indexOf('Running downgrade 0004 -> 0003')
  )
  expect(r.output).toMatch(
    /Rolled back, each host to the release it ran before: .*back on release \S+ \(1{12}\).*database migrated down to 0002/
  )
  expect(await versions()).toEqual(['v1\n', 'v1\n'])
  // Both dumps are in the migrate host's release log under the release that failed: the one before
  // the migration up, and the one before the migration down, each the file on that host's disk.
  const logged = await loggedRelease(fleet.hosts[1], r.outputs['release-id'])
  expect(logged?.status).toBe('failed')
  expect(logged?.backup?.file).toBe(r.outputs['backup-file'])
  expect(logged?.downBackup?.file).not.toBe(logged?.backup?.file)
  // The outputs name the dump before the migration up, not the one the rollback took.
  expect(r.outputs['backup-sha256']).toBe(logged?.backup?.sha256)
  for (const b of [logged?.backup, logged?.downBackup]) {
    expect(b).toMatchObject({ verify: 'restore', tables: 2 })
    expect(b && (await fileSum(fleet.hosts[1], b.file))).toEqual({
      sha256: b?.sha256,
      sizeBytes: b?.sizeBytes
    })
  }
})

it('keeps the new code when the down-migration fails, and names the revision and the backups', async () => {
  release('v3', { '0003.py': STUCK }, false)
  const r = await deploy()
  expect(r.failed).toBe(true)
  expect(r.outputs['rolled-back']).toBe('false')
  expect(await psql('select version_num from alembic_version')).toBe('0003')
  expect(r.output).toMatch(
    /NOT ROLLED BACK: migrating the database down on root@[\d.]+:\d+ failed, so every host keeps the new release's code/
  )
  expect(r.output).toMatch(/division by zero.*at revision 0003/)
  expect(r.output).toContain(`backups are in ${BACKUPS} on root@`)
  expect(r.output).toMatch(/the backup from before the deploy is \/srv\/shop\/backups\/deploykit-/)
  expect(await dumps()).toEqual([3, 2])
  expect(await versions()).toEqual(['v3\n', 'v3\n'])
})

it('with restore-on-failure, a failed down-migration restores the dump taken just before it, and the new code stays', async () => {
  const skuStuck = revision(
    '0004',
    '0003',
    "op.add_column('items', sa.Column('sku', sa.Text()))",
    "op.execute('select 1/0')"
  )
  release('v4', { '0003.py': STUCK, '0004.py': skuStuck }, false)
  const r = await deploy({ 'restore-on-failure': 'true' })
  expect(r.failed).toBe(true)
  expect(r.outputs['rolled-back']).toBe('false')
  expect(r.output).toMatch(
    /NOT ROLLED BACK: migrating the database down on root@[\d.]+:\d+ failed, so every host keeps the new release's code .*division by zero.*The backup taken before it is \/srv\/shop\/backups\/deploykit-\S+; it was restored in one transaction \(restore-on-failure\): \d+ tables, each with the rows the dump recorded; writes after \S+ \(the dump's time\) are lost; it is at revision 0004/
  )
  expect(await psql('select version_num from alembic_version')).toBe('0004')
  expect(
    await psql(
      "select string_agg(column_name, ',' order by column_name) from information_schema.columns where table_name = 'items'"
    )
  ).toBe('id,name,price,sku,stock')
  expect(await versions()).toEqual(['v4\n', 'v4\n'])
})
