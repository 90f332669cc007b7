// Seed 000's case: PostgreSQL runs on the server itself, outside Compose, and
// the backup reaches it by backup-database-url. A fleet test host (its own
// network namespace, disk and sshd) runs the machine's PostgreSQL 15 as the
// postgres user, with scram-sha-256 passwords for every TCP client; pg_dump
// and psql run on that host with the password as PGPASSWORD, which the
// transport sends on standard input. The machine's whole process list is
// sampled while they run: the hosts share its pid space, so what any user of
// the server could read in `ps` is what the sampler reads.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run } from '../../../src/migrate/main.js'
import { readMigrateSettings } from '../../../src/migrate/settings.js'
import { InProcessAction, InProcessRun, throughEntry } from '../../helpers/in-process-action.js'
import { sampleArgv, SamplerReport } from '../../../testbed/argv-sampler.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { FleetHost, FleetHosts, startFleetHosts } from '../../../testbed/fleet-hosts.js'
import { BUSYBOX_IMAGE } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { waitFor } from '../../../testbed/run.js'

const PG_BIN = '/usr/lib/postgresql/15/bin'
const PG_DIR = '/srv/pg'
const APP_DIR = '/srv/shop'
// Quotes, a $(…) and URL syntax: the password must survive the URL and never reach a command line.
const PASSWORD = `Pw'${randomBytes(6).toString('hex')} $(id) @:/?&%#`
const ENCODED = encodeURIComponent(PASSWORD)

let dockerPid: number | undefined
let fleet: FleetHosts
let host: FleetHost
let action: InProcessAction
let pgStarted = false

/** psql as the postgres user over the host's unix socket (no password there), SQL on stdin. */
async function psql(sql: string, database = 'postgres'): Promise<string> {
  const r = await host.exec(
    ['runuser', '-u', 'postgres', '--', 'psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'].concat([
      '-h',
      PG_DIR,
      '-d',
      database
    ]),
    { input: sql }
  )
  if (r.code !== 0) throw new Error(`psql: ${r.stderr}`)
  return r.stdout.replace(/\n$/, '')
}

async function hostChecked(argv: string[]): Promise<void> {
  const r = await host.exec(argv)
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stdout}${r.stderr}`)
}

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  fleet = await startFleetHosts(1, { images: [BUSYBOX_IMAGE] })
  host = fleet.hosts[0]
  await hostChecked(['sh', '-c', `mkdir -p ${PG_DIR} && chown postgres: ${PG_DIR}`])
  await hostChecked([
    'runuser',
    '-u',
    'postgres',
    '--',
    `${PG_BIN}/initdb`,
    '-D',
    `${PG_DIR}/data`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-U',
    'postgres'
  ])
  writeFileSync(
    join(host.disk, PG_DIR, 'data', 'pg_hba.conf'),
    'local all all trust\nhost all all 0.0.0.0/0 scram-sha-256\n'
  )
  await hostChecked([
    'runuser',
    '-u',
    'postgres',
    '--',
    `${PG_BIN}/pg_ctl`,
    '-D',
    `${PG_DIR}/data`,
    '-l',
    `${PG_DIR}/log`,
    '-w',
    '-o',
    `-c listen_addresses=${host.address} -c unix_socket_directories=${PG_DIR} -p 5432`,
    'start'
  ])
  pgStarted = true
  await psql(
    `create role app login superuser password '${PASSWORD.replace(/'/g, "''")}'; create database shop owner app;`
  )
  await psql(
    'create table items (id serial primary key, name text); ' +
      "insert into items (name) values ('a'), ('b'), ('c'); create table probe (n int);",
    'shop'
  )
  // The app: a one-shot migrator that works and one that fails, nothing else in Compose.
  mkdirSync(join(host.disk, APP_DIR), { recursive: true })
  writeFileSync(
    join(host.disk, APP_DIR, 'docker-compose.yml'),
    `services:
  migrator:
    image: ${BUSYBOX_IMAGE}
    command: ["sh", "-c", "echo migrated"]
  bad-migrator:
    image: ${BUSYBOX_IMAGE}
    command: ["sh", "-c", "echo migration failed on purpose >&2; exit 3"]
`
  )
  action = new InProcessAction(
    throughEntry(read => ({ readSettings: () => readMigrateSettings(read), run }))
  )
}, 10 * 60_000)

afterAll(async () => {
  action?.remove()
  if (pgStarted)
    await host.exec([
      'runuser',
      '-u',
      'postgres',
      '--',
      `${PG_BIN}/pg_ctl`,
      '-D',
      `${PG_DIR}/data`,
      '-m',
      'fast',
      'stop'
    ])
  await fleet?.stop()
  if (dockerPid) await stopDocker(dockerPid)
})

function migrate(inputs: Record<string, string>): Promise<InProcessRun> {
  return action.runAction({
    host: fleet.hostInput(1),
    key: fleet.key.privateKey,
    'known-hosts': fleet.knownHosts(),
    'app-dir': APP_DIR,
    tool: 'service',
    backup: 'pg_dump',
    'backup-database-url': `postgresql://app:${ENCODED}@${host.address}:5432/shop`,
    'backup-database': 'shop',
    ...inputs
  })
}

/**
 * Holds a lock on `probe` from a session on the host, so the client started
 * meanwhile waits with its argv on show until the sampler has seen it: ACCESS
 * EXCLUSIVE holds pg_dump; ROW EXCLUSIVE lets it through and holds the
 * restore's DROP.
 */
async function lockProbe(mode: string): Promise<() => Promise<void>> {
  const child = spawn(
    'nsenter',
    [
      `--target=${host.pids.holder}`,
      '--mount',
      '--net',
      'runuser',
      '-u',
      'postgres',
      '--',
      'psql',
      '-X',
      '-q',
      '-h',
      PG_DIR,
      '-d',
      'shop'
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] }
  )
  let output = ''
  child.stdout.on('data', d => (output += d))
  child.stderr.on('data', d => (output += d))
  const exited = new Promise<void>(resolve => child.on('close', () => resolve()))
  child.stdin.write(`BEGIN;\nLOCK TABLE probe IN ${mode} MODE;\n\\echo locked\n`)
  await waitFor(async () => output.includes('locked'), 60_000, 'the lock on probe')
  let released = false
  return async () => {
    if (!released) child.stdin.end('COMMIT;\n')
    released = true
    await exited
  }
}

/** Runs the migration while the sampler watches; `client` is the argv that must be seen. */
async function sampled(
  inputs: Record<string, string>,
  marker: string,
  client: (argv: string) => boolean,
  lockMode: string
): Promise<{ r: InProcessRun; report: SamplerReport }> {
  const sampler = sampleArgv([PASSWORD, ENCODED, marker])
  let r: InProcessRun
  let report: SamplerReport
  try {
    const release = await lockProbe(lockMode)
    try {
      const running = migrate(inputs)
      await sampler.seen(marker, client)
      await release()
      r = await running
    } finally {
      await release()
    }
  } finally {
    report = await sampler.stop()
  }
  return { r, report }
}

it('dumps the host-side database with the password on standard input only, and the dump restores', async () => {
  const dump = (argv: string) => /^(\S*\/)?pg_dump --clean /.test(argv)
  const { r, report } = await sampled({ service: 'migrator' }, 'pg_dump', dump, 'ACCESS EXCLUSIVE')
  if (r.failed) throw new Error(r.output)
  expect([...report.hits[PASSWORD], ...report.hits[ENCODED]]).toEqual([])
  expect(report.hits.pg_dump.filter(dump)).toContainEqual(
    expect.stringContaining(`--dbname=postgresql://app@${host.address}:5432/shop`)
  )
  expect(r.output).toContain("PGPASSWORD='***'")
  expect(r.output).not.toContain(ENCODED)
  expect(r.output).not.toContain(PASSWORD)
  expect(r.output).toContain('migrated')

  const file = r.outputs['backup-file']
  expect(file).toMatch(/^\/srv\/shop\/backups\/deploykit-shop-\d{8}T\d{6}Z\.sql\.gz$/)
  expect(existsSync(join(host.disk, file))).toBe(true)
  await psql('create database proof')
  await hostChecked([
    'sh',
    '-c',
    'gzip -dc "$1" | runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$2" -d proof',
    'sh',
    file,
    PG_DIR
  ])
  expect(await psql('select count(*) from items', 'proof')).toBe('3')
})

it('restores the host-side database in one transaction after a failed migration, the password again on standard input only', async () => {
  await psql("insert into items (name) values ('d')", 'shop')
  const restore = (argv: string) => /^(\S*\/)?psql -X --single-transaction /.test(argv)
  const { r, report } = await sampled(
    { service: 'bad-migrator', 'restore-on-failure': 'true' },
    '--single-transaction',
    restore,
    'ROW EXCLUSIVE'
  )
  expect(r.failed).toBe(true)
  expect([...report.hits[PASSWORD], ...report.hits[ENCODED]]).toEqual([])
  expect(report.hits['--single-transaction'].filter(restore)).toContainEqual(
    expect.stringContaining(`--dbname=postgresql://app@${host.address}:5432/shop`)
  )
  expect(r.output).toMatch(
    /migration failed \(service, exit 3\): migration failed on purpose.*it was restored in one transaction \(restore-on-failure\): 2 tables, each with the rows the dump recorded; writes after \S+ \(the dump's time\) are lost/
  )
  expect(r.output).not.toContain(ENCODED)
  expect(await psql('select count(*) from items', 'shop')).toBe('4')
})
