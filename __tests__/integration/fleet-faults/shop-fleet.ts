// The fleet the fault suites deploy to: three hosts of the fleet testbed
// (testbed/fleet-hosts.ts: each its own network namespace, sshd, Docker engine
// and disk, behind a 50 ms link) sharing one PostgreSQL, which runs in host
// 0's engine with its port published on host 0's address. The root action runs
// in this process and uploads an Alembic app (real Alembic in the Debian
// image) plus busybox httpd serving the release's name. After each fault a
// suite reads what every host runs from the host itself: the containers its
// engine runs, the release file on its own disk, the last record of its
// release log, and whether its deploy lock is there.
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ChildProcess, spawn } from 'node:child_process'
import { run, setOutputs } from '../../../src/whole-deploy/main.js'
import { readRootSettings } from '../../../src/whole-deploy/root-settings.js'
import { InProcessAction, InProcessRun, throughEntry } from '../../helpers/in-process-action.js'
import { cancellation } from '../../../src/core/cancellation.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { FleetHost, FleetHosts, startFleetHosts } from '../../../testbed/fleet-hosts.js'
import { FLEET_DB_PORT as DB_PORT, startFleetDatabase } from '../../../testbed/fleet-database.js'
import { ALEMBIC_SOURCES, alembicRevisionFile } from '../../../testbed/db-apps.js'
import { BUSYBOX_IMAGE, DEBIAN_IMAGE } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'

export const API_PORT = 8080
export const APP_DIR = '/srv/shop'
export const PROJECT = 'shop'

export interface ShopFleet {
  fleet: FleetHosts
  hosts: FleetHost[]
  /** The upload tree, rewritten by `release`. */
  app: string
  work: string
  action: InProcessAction
  dbUrl: string
  psql(sql: string): Promise<string>
  stop(): Promise<void>
}

export interface HostState {
  /** `<release> <service> <state>` of each of the project's containers, sorted. */
  containers: string[]
  /** The live release's own file, as the host's disk holds it. */
  file: string
  /** The last record of the host's release log: its ref and status. */
  last: string
  lock: 'free' | 'held'
}

export async function startShopFleet(name: string): Promise<ShopFleet> {
  ensurePrerequisites()
  const dockerPid = (await ensureDocker()).startedPid
  const fleet = await startFleetHosts(3, { images: [DEBIAN_IMAGE, BUSYBOX_IMAGE] })
  const db = fleet.hosts[0]
  const container = await startFleetDatabase(db, [fleet.subnet])
  const work = mkdtempSync(join(tmpdir(), `faults-${name}-`))
  const app = join(work, 'app')
  cpSync(ALEMBIC_SOURCES, app, { recursive: true })
  mkdirSync(join(app, 'www'))
  const action = new InProcessAction(
    throughEntry(read => ({ readSettings: () => readRootSettings(read), run, setOutputs })),
    { GITHUB_REPOSITORY: 'org/shop' }
  )
  return {
    fleet,
    hosts: fleet.hosts,
    app,
    work,
    action,
    dbUrl: `postgresql://postgres@${db.address}:${DB_PORT}/postgres`,
    async psql(sql) {
      const r = await db.engine.docker([
        'exec',
        container,
        'psql',
        '-X',
        '-q',
        '-At',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        sql
      ])
      if (r.code !== 0) throw new Error(`psql: ${r.stderr}`)
      return r.stdout.replace(/\n$/, '')
    },
    async stop() {
      action.remove()
      rmSync(work, { recursive: true, force: true })
      await fleet.stop()
      if (dockerPid) await stopDocker(dockerPid)
    }
  }
}

export function revision(id: string, down: string, upgrade: string, downgrade: string): string {
  return alembicRevisionFile(id, down, `revision ${id}`, upgrade, downgrade)
}

/**
 * Writes the release's tree: its compose file, its migrations, and the API's
 * files. The release's name is a label of each service, so each release's
 * containers are made anew. `api` may take a healthcheck; `extraFiles` are
 * written into the tree (a large file, say).
 */
export function release(
  shop: ShopFleet,
  name: string,
  migrations: Record<string, string> = {},
  opts: { healthcheck?: string; extraFiles?: Record<string, string>; slowStart?: boolean } = {}
): void {
  const { app } = shop
  const health = opts.healthcheck
    ? `    healthcheck:\n      test: ${JSON.stringify(['CMD-SHELL', opts.healthcheck])}\n      interval: 1s\n      retries: 1000\n`
    : ''
  // compose up waits for warm to be healthy (about 4 s) before it starts the api.
  const warm = opts.slowStart
    ? `    depends_on: { warm: { condition: service_healthy } }
  warm:
    image: ${BUSYBOX_IMAGE}
    labels: { shop.release: ${name} }
    command: ["sh", "-c", "sleep 4; touch /tmp/ready; trap 'exit 0' TERM; sleep 3600 & wait"]
    healthcheck:
      test: ["CMD-SHELL", "test -e /tmp/ready"]
      interval: 1s
      retries: 100
`
    : ''
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
      DATABASE_URL: ${JSON.stringify(shop.dbUrl)}
    volumes: ["./:/app"]
  api:
    image: ${BUSYBOX_IMAGE}
    labels: { shop.release: ${name} }
    volumes: ["./www:/www:ro"]
    ports: ["${API_PORT}:8080"]
    command: ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $$!; exit 0' TERM; wait"]
${health}${warm}`
  )
  const versionsDir = join(app, 'migrations', 'versions')
  for (const file of readdirSync(versionsDir))
    if (/^000[3-9]\.py$/.test(file)) rmSync(join(versionsDir, file), { force: true })
  for (const [file, text] of Object.entries(migrations))
    writeFileSync(join(versionsDir, file), text)
  rmSync(join(app, 'big'), { recursive: true, force: true })
  for (const [file, text] of Object.entries(opts.extraFiles ?? {})) {
    mkdirSync(dirname(join(app, file)), { recursive: true })
    writeFileSync(join(app, file), text)
  }
  writeFileSync(join(app, 'www', 'version'), `${name}\n`)
  writeFileSync(join(app, 'www', 'health'), 'ok\n')
}

export function deployInputs(shop: ShopFleet, name: string, extra: Record<string, string> = {}) {
  return {
    host: shop.fleet.hostInput(3),
    key: shop.fleet.key.privateKey,
    'known-hosts': shop.fleet.knownHosts(),
    'app-dir': APP_DIR,
    source: 'upload',
    'upload-path': shop.app,
    ref: name,
    'project-name': PROJECT,
    'wait-timeout': '60',
    'min-free-mb': '1',
    'migrate-tool': 'alembic',
    'migrate-service': 'backend',
    'migrate-down-target': '-1',
    backup: 'pg_dump',
    'backup-service': 'backend',
    'backup-database-url': shop.dbUrl,
    'smoke-urls': shop.hosts.map(h => `http://${h.address}:${API_PORT}/health`).join('\n'),
    'smoke-expect-status': '200',
    'smoke-wait-timeout': '2',
    ...extra
  }
}

export async function deploy(
  shop: ShopFleet,
  name: string,
  extra: Record<string, string> = {}
): Promise<InProcessRun> {
  const r = await shop.action.runAction(deployInputs(shop, name, extra))
  console.log(`deploy of ${name}: ${(r.elapsedMs / 1000).toFixed(1)} s, failed: ${r.failed}`)
  return r
}

async function onHost(host: FleetHost, argv: string[]): Promise<string> {
  const r = await host.exec(argv)
  if (r.code !== 0) throw new Error(`${argv.join(' ')} on host ${host.index}: ${r.stderr}`)
  return r.stdout
}

/** What a host runs and holds, read from the host itself (not over SSH). */
export async function hostState(host: FleetHost): Promise<HostState> {
  const ps = await onHost(host, [
    'docker',
    'ps',
    '--all',
    '--filter',
    `label=com.docker.compose.project=${PROJECT}`,
    '--format',
    '{{.Label "shop.release"}} {{.Label "com.docker.compose.service"}} {{.State}}'
  ])
  const app = ps.split('\n').filter(line => / (api|backend) /.test(line))
  const log = await onHost(host, [
    'sh',
    '-c',
    `cat ${APP_DIR}/.deploy-kit/releases.jsonl 2>/dev/null || true`
  ])
  // A record's later lines (its status) name it by id: merged, the newest release is the last id's.
  const byId = new Map<string, { ref?: string; status?: string; rollbackOf?: string }>()
  for (const line of log.split('\n').filter(Boolean)) {
    try {
      const r = JSON.parse(line) as { id: string; ref?: string; status?: string }
      byId.set(r.id, { ...byId.get(r.id), ...r })
    } catch {
      // a torn line
    }
  }
  const last = [...byId.values()].at(-1)
  const file = await onHost(host, [
    'sh',
    '-c',
    `cat ${APP_DIR}/current/www/version 2>/dev/null || echo none`
  ])
  const lock = await host.exec(['test', '-e', `${APP_DIR}/.deploy-kit/lock`])
  return {
    containers: app.sort(),
    file: file.trim(),
    last: last ? `${last.ref} ${last.status}${last.rollbackOf ? ' (a rollback)' : ''}` : 'none',
    lock: lock.code === 0 ? 'held' : 'free'
  }
}

/** A host that runs `name`: both services of that release running, its file live, its lock free. */
export function onRelease(name: string, last: string): HostState {
  return {
    containers: [`${name} api running`, `${name} backend running`],
    file: name,
    last,
    lock: 'free'
  }
}

export const states = (shop: ShopFleet) => Promise.all(shop.hosts.map(hostState))

export const dbRevision = (shop: ShopFleet) => shop.psql('select version_num from alembic_version')

/** Pids of the host's processes whose command line matches. */
export function processesOf(host: FleetHost, match: (cmdline: string) => boolean): number[] {
  return host.processes().filter(pid => {
    try {
      return match(readCmdline(pid))
    } catch {
      return false
    }
  })
}

function readCmdline(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
}

/**
 * Sends this process SIGINT, as the runner does first when a job is
 * cancelled, with only the entry's own handler (src/core/cancellation.ts)
 * listening: the test runner's handlers, there before the run, are put back
 * by the function returned, once the run has ended.
 */
export function cancelRun(before: NodeJS.SignalsListener[]): () => void {
  for (const l of before) process.off('SIGINT', l)
  // Delivered by emit: under jest a real signal to this process ends the test run itself.
  process.emit('SIGINT', 'SIGINT')
  return () => {
    for (const l of before) process.on('SIGINT', l)
    cancellation.signal = undefined
  }
}

/**
 * Kills the host's sshd sessions (every sshd process but the listener), as a
 * crashed sshd cuts its connections; the listener stays, as a restarted sshd
 * would, so a later connection is let in.
 */
export function killSshSessions(host: FleetHost): number[] {
  const sessions = processesOf(host, c => c.startsWith('sshd')).filter(
    pid => pid !== host.pids.sshd
  )
  for (const pid of sessions) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone already
    }
  }
  return sessions
}

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/**
 * The root action's entry (src/whole-deploy/index.ts) in a process of its own,
 * as the runner starts it, with its own run id: for two deploys at once, or a
 * run killed with SIGKILL.
 */
export function deployProcess(
  shop: ShopFleet,
  name: string,
  runId: string,
  extra: Record<string, string> = {}
): { child: ChildProcess; output: () => string; done: Promise<number | null> } {
  const dir = mkdtempSync(join(shop.work, `run-${runId}-`))
  const inputs = Object.fromEntries(
    Object.entries(deployInputs(shop, name, extra)).map(([k, v]) => [
      `INPUT_${k.replace(/ /g, '_').toUpperCase()}`,
      v
    ])
  )
  for (const file of ['output', 'summary', 'state']) writeFileSync(join(dir, file), '')
  // node itself with tsx's loader, not tsx's wrapper: a SIGKILL must end the process that deploys.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/whole-deploy/index.ts'], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_REPOSITORY: 'org/shop',
      GITHUB_RUN_ID: runId,
      GITHUB_SHA: runId.padEnd(40, '0'),
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      GITHUB_STATE: join(dir, 'state'),
      ...inputs
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout?.on('data', d => (output += d))
  child.stderr?.on('data', d => (output += d))
  const done = new Promise<number | null>(resolve => child.on('close', code => resolve(code)))
  return { child, output: () => output, done }
}
