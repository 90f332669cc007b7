// Where a deploy's secrets end up. One job's steps run as GitHub's runner
// runs them, through the testbed's stand-in for it (action-runner.ts: the
// bundles under Node 24; secret-masker.ts: the job's masker, as
// actions/runner masks): ssh-deploy with secret `env` values, a migration
// after a pg_dump backup whose URL holds the database password, and a smoke
// check from the server that sends a token header, against a Compose app
// (PostgreSQL with a password, a Python web service that wants the token) on
// a test host of the testbed. Meanwhile a sampler
// (testbed/proc-sampler-script.mjs) reads the argv and the environment of
// every process on the host, containers' included, every few milliseconds.
// Afterwards every secret is looked for in each step's log and summary as the
// runner shows them, the outputs and the state the steps saved, the argv
// (which every user of the server can read with `ps`), the environments a
// user other than root could read (/proc/<pid>/environ is readable by root
// and the process's own user only), every file deploy-kit left on the server
// (the app dir with its .deploy-kit state, releases and backups, and what is
// new in /tmp) and every file on the runner (RUNNER_TEMP, TMPDIR, HOME, the
// workspace). The env file and its copies hold the app's secrets by design:
// they must be mode 600. Anything else is a leak; the test wants none.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { ChildProcess, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { secretHolders, SecretHolder } from '../helpers/secret-files.js'
import { BundleRun, runBundle } from '../../testbed/action-runner.js'
import { removeComposeProject } from '../../testbed/apps.js'
import { ensureDocker, stopDocker } from '../../testbed/docker.js'
import { DEBIAN_IMAGE, ensureBaseImages } from '../../testbed/images.js'
import { freePort } from '../../testbed/ports.js'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { ProcSampler, SamplerReport, startProcSampler } from '../../testbed/proc-sampler.js'
import { runChecked } from '../../testbed/run.js'
import { processStepOutput, SecretMasker } from '../../testbed/secret-masker.js'
import { startSshHosts, SshHosts } from '../../testbed/ssh-hosts.js'

const hex = (n: number) => randomBytes(n).toString('hex')

/** The secrets, each a value found nowhere else. DEPLOY_KEY is a line of the SSH private key, added once it exists. */
const secrets: Record<string, string> = {
  APP_SECRET: `app-secret-${hex(12)}`,
  DB_PASSWORD: `db-password-${hex(12)}`,
  SMOKE_TOKEN: `smoke-token-${hex(12)}`
}

/**
 * Sets the password of the app's role at the first start. No process but
 * this root shell has the password in its environment: PostgreSQL and psql
 * run as postgres, whose environment that user could read.
 */
const DB_SCRIPT = `set -e
password=$DB_PASSWORD
unset DB_PASSWORD
conf=/etc/postgresql/15/main
printf '%s\\n' 'local all all peer' 'host all all all scram-sha-256' > $conf/pg_hba.conf
runuser -u postgres -- /usr/lib/postgresql/15/bin/postgres \\
  -D /var/lib/postgresql/15/main -c config_file=$conf/postgresql.conf -c listen_addresses='*' -c ssl=off &
pid=$!
trap 'kill -INT $pid' INT TERM
until runuser -u postgres -- pg_isready -q; do sleep 0.2; done
printf "create role app login createdb password '%s';\\ncreate database app owner app;\\n\\\\c app\\ncreate table notes (id serial primary key, body text not null);\\nalter table notes owner to app;\\n" "$password" |
  runuser -u postgres -- psql -q -v ON_ERROR_STOP=1
touch /tmp/ready
wait $pid
`

/** /health wants the token; it answers after half a second, so the probe lives long enough to be seen. */
const WEB_PY = `import hashlib, http.server, os, time

EXPECTED = os.environ['SMOKE_TOKEN_SHA256']


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/alive':
            return self.answer(200, 'alive')
        token = self.headers.get('X-Smoke-Token', '')
        if self.path != '/health' or hashlib.sha256(token.encode()).hexdigest() != EXPECTED:
            return self.answer(401, 'no')
        time.sleep(0.5)
        self.answer(200, 'ok')

    def answer(self, status, body):
        self.send_response(status)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(('', 8080), Handler).serve_forever()
`

const MIGRATE_PY = `import os, psycopg2

with psycopg2.connect(host='db', dbname='app', user='app', password=os.environ['DB_PASSWORD']) as db:
    with db.cursor() as cur:
        cur.execute("alter table notes add column if not exists created timestamptz default now()")
        cur.execute("insert into notes (body) values ('migrated')")
print('migrated')
`

function composeFile(): string {
  return `services:
  db:
    image: ${DEBIAN_IMAGE}
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
    ports: ["127.0.0.1:\${DB_PORT}:5432"]
    volumes: ["./app:/app:ro"]
    command: ["sh", "/app/db.sh"]
    healthcheck:
      test: ["CMD", "test", "-e", "/tmp/ready"]
      interval: 1s
      retries: 60
  web:
    image: ${DEBIAN_IMAGE}
    environment:
      APP_SECRET: \${APP_SECRET}
      DB_PASSWORD: \${DB_PASSWORD}
      SMOKE_TOKEN_SHA256: \${SMOKE_TOKEN_SHA256}
    ports: ["127.0.0.1:\${WEB_PORT}:8080"]
    volumes: ["./app:/app:ro"]
    command: ["python3", "/app/web.py"]
    healthcheck:
      test: ["CMD", "python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/alive')"]
      interval: 1s
      retries: 60
`
}

interface Leak {
  secret: string
  where: string
}

interface StepRun {
  name: string
  inputs: Record<string, string>
  run: BundleRun
  /** The log as the runner shows it, `::add-mask::` acted on. */
  log: string
  summary: string
}

let hosts: SshHosts
let dockerPid: number | undefined
let root: string
let appDir: string
let runner: { temp: string; tmp: string; home: string; workspace: string }
let project: string
let webPort: number
let dbPort: number
let started: number
let sampler: ProcSampler | undefined
let report: SamplerReport
const steps: StepRun[] = []
/** The job's masker: its secrets, then every `::add-mask::` of its steps. */
const masker = new SecretMasker()

function connection(): Record<string, string> {
  return {
    host: hosts.hostInput(1),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'connect-retries': '0'
  }
}

function app(): Record<string, string> {
  return {
    'app-dir': appDir,
    'compose-files': 'docker-compose.yml',
    'env-file': '.env',
    'project-name': project
  }
}

function databaseUrl(): string {
  return `postgresql://app:${secrets.DB_PASSWORD}@127.0.0.1:${dbPort}/app`
}

/** One step of the job, as the runner runs a JavaScript action: its own process, the job's files. */
async function step(
  name: string,
  inputs: Record<string, string>,
  state?: Record<string, string>
): Promise<StepRun> {
  const run = await runBundle(join('dist', name, 'index.js'), inputs, {
    cwd: runner.workspace,
    state,
    env: {
      HOME: runner.home,
      RUNNER_TEMP: runner.temp,
      TMPDIR: runner.tmp,
      GITHUB_WORKSPACE: runner.workspace,
      GITHUB_ACTOR: 'octocat',
      CI: 'true',
      GITHUB_ACTIONS: 'true'
    }
  })
  const shown: StepRun = {
    name: state ? `post ${name}` : name,
    inputs,
    run,
    log: processStepOutput(run.output, masker),
    summary: run.summary
      .split('\n')
      .map(line => masker.mask(line))
      .join('\n')
  }
  steps.push(shown)
  if (run.code !== 0) throw new Error(`${shown.name} failed (${run.code}):\n${shown.log}`)
  return shown
}

/** The db container, for a psql session that holds a lock. */
async function dbContainer(): Promise<string> {
  const { stdout } = await runChecked('docker', [
    'ps',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    'label=com.docker.compose.service=db'
  ])
  return stdout.trim()
}

/**
 * Holds an exclusive lock on the table until released, so that pg_dump,
 * which waits for it, is a process the sampler cannot miss.
 */
async function holdTableLock(): Promise<{ release(): Promise<void> }> {
  const psql: ChildProcess = spawn('docker', [
    'exec',
    '-i',
    await dbContainer(),
    // docker exec hands the container's environment on, the password with it.
    'env',
    '-u',
    'DB_PASSWORD',
    'runuser',
    '-u',
    'postgres',
    '--',
    'psql',
    '-qAt',
    '-d',
    'app'
  ])
  await new Promise<void>((resolve, reject) => {
    psql.stdout?.on('data', (d: Buffer) => d.toString().includes('locked') && resolve())
    psql.once('exit', code => reject(new Error(`psql exited with ${code}`)))
    psql.stdin?.write("begin;\nlock table notes in access exclusive mode;\nselect 'locked';\n")
  })
  return {
    release: () =>
      new Promise(resolve => {
        psql.once('exit', () => resolve())
        psql.stdin?.end('commit;\n')
      })
  }
}

/** Asks PostgreSQL itself, so another suite's pg_dump on this machine cannot count. */
async function dumpIsWaiting(): Promise<boolean> {
  const { stdout } = await runChecked('docker', [
    'exec',
    await dbContainer(),
    'env',
    '-u',
    'DB_PASSWORD',
    'runuser',
    '-u',
    'postgres',
    '--',
    'psql',
    '-qAt',
    '-d',
    'app',
    '-c',
    "select count(*) from pg_stat_activity where application_name = 'pg_dump' and wait_event_type = 'Lock'"
  ])
  return stdout.trim() !== '0'
}

/** Waits until pg_dump waits for the lock, or the step ended without it, or a minute passed. */
async function untilDumpWaits(step: Promise<unknown>): Promise<void> {
  let ended = false
  step.then(
    () => (ended = true),
    () => (ended = true)
  )
  const deadline = Date.now() + 60_000
  while (!ended && Date.now() < deadline && !(await dumpIsWaiting()))
    await new Promise(r => setTimeout(r, 100))
}

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  hosts = await startSshHosts(1)
  // A line of the key's private bytes: the first lines are the same in every key of its type.
  const keyLines = hosts.key.privateKey.trim().split('\n').slice(1, -1)
  secrets.DEPLOY_KEY = keyLines[keyLines.length - 2]
  root = mkdtempSync(join(tmpdir(), 'deploykit-secrets-'))
  appDir = join(root, 'server', 'app')
  runner = {
    temp: join(root, 'runner', 'temp'),
    tmp: join(root, 'runner', 'tmp'),
    home: join(root, 'runner', 'home'),
    workspace: join(root, 'runner', 'workspace')
  }
  for (const dir of Object.values(runner)) mkdirSync(dir, { recursive: true })
  mkdirSync(join(runner.workspace, 'app'))
  writeFileSync(join(runner.workspace, 'docker-compose.yml'), composeFile())
  writeFileSync(join(runner.workspace, 'app', 'db.sh'), DB_SCRIPT)
  writeFileSync(join(runner.workspace, 'app', 'web.py'), WEB_PY)
  writeFileSync(join(runner.workspace, 'app', 'migrate.py'), MIGRATE_PY)
  project = `dksecrets${hex(3)}`
  webPort = await freePort()
  dbPort = await freePort()
  // What the workflow passes as secrets, registered by the runner before any step runs.
  for (const value of [
    `APP_SECRET=${secrets.APP_SECRET}\nDB_PASSWORD=${secrets.DB_PASSWORD}`,
    databaseUrl(),
    secrets.SMOKE_TOKEN,
    hosts.key.privateKey
  ])
    masker.addSecret(value)

  started = Date.now()
  sampler = await startProcSampler(secrets)
  try {
    await step('ssh-deploy', {
      ...connection(),
      ...app(),
      source: 'upload',
      'upload-path': runner.workspace,
      vars: `DB_PORT=${dbPort}\nWEB_PORT=${webPort}\nSMOKE_TOKEN_SHA256=${createHash('sha256').update(secrets.SMOKE_TOKEN).digest('hex')}`,
      env: `APP_SECRET=${secrets.APP_SECRET}\nDB_PASSWORD=${secrets.DB_PASSWORD}`,
      'wait-timeout': '90'
    })
    const lock = await holdTableLock()
    const migrating = step('migrate', {
      ...connection(),
      ...app(),
      tool: 'command',
      service: 'web',
      mode: 'exec',
      command: 'python3 /app/migrate.py',
      backup: 'pg_dump',
      'backup-database-url': databaseUrl(),
      'backup-database': 'app'
    })
    await untilDumpWaits(migrating)
    await lock.release()
    await migrating
    await step('smoke-check', {
      ...connection(),
      ...app(),
      urls: `http://127.0.0.1:${webPort}/health`,
      from: 'server',
      headers: `X-Smoke-Token: ${secrets.SMOKE_TOKEN}`,
      'expect-status': '200',
      'wait-timeout': '30'
    })
  } finally {
    // The job's post steps, the last step's first, with the state their main steps saved;
    // a failed one is in `steps`, which the first test checks.
    for (const done of [...steps].reverse()) {
      const action = parse(readFileSync(join(done.name, 'action.yml'), 'utf8')) as {
        runs: { post?: string }
      }
      if (action.runs.post) await step(done.name, done.inputs, done.run.state).catch(() => {})
    }
    report = await sampler.stop()
  }
}, 5 * 60_000)

afterAll(async () => {
  printFigures()
  if (project) await removeComposeProject(project)
  await hosts?.stop()
  if (root) rmSync(root, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

function leaksIn(text: string, where: string): Leak[] {
  return Object.entries(secrets)
    .filter(([, value]) => text.includes(value))
    .map(([secret]) => ({ secret, where }))
}

/** The env file, its backup and its copy per release: where the app's secrets belong, mode 600. */
function isEnvFile(file: string): boolean {
  return (
    file === join(appDir, '.env') ||
    file === join(appDir, '.env.bak') ||
    file.startsWith(join(appDir, '.deploy-kit', 'env') + '/')
  )
}

let serverFiles: { holders: SecretHolder[]; filesRead: number }
let runnerFiles: { holders: SecretHolder[]; filesRead: number }

function scanServer() {
  serverFiles ??= (() => {
    const app = secretHolders([appDir], secrets)
    // The rest of /tmp is the server's too: what is new there since the run started.
    const fresh = secretHolders(
      ['/tmp'],
      secrets,
      (file, stat) => !file.startsWith(root + '/') && stat.mtimeMs >= started
    )
    return {
      holders: [...app.holders, ...fresh.holders],
      filesRead: app.filesRead + fresh.filesRead
    }
  })()
  return serverFiles
}

function scanRunner() {
  runnerFiles ??= secretHolders(Object.values(runner), secrets)
  return runnerFiles
}

describe('a deploy, a migration with a pg_dump backup and a smoke check with a token', () => {
  it('ran: the app is live, the dump was taken while the sampler watched', () => {
    expect(steps.map(s => `${s.name}: ${s.run.code}`)).toEqual([
      'ssh-deploy: 0',
      'migrate: 0',
      'smoke-check: 0',
      'post ssh-deploy: 0'
    ])
    expect(steps[1].run.outputs['backup-file']).toMatch(
      /\/backups\/deploykit-app-\d{8}T\d{6}Z\.sql\.gz$/
    )
    expect(steps[2].run.outputs.passed).toBe('true')
    // The processes that carry the secrets were seen: zero leaks below means something.
    expect(report.byCommand.pg_dump).toBeGreaterThan(0)
    expect(report.byCommand.curl).toBeGreaterThan(0)
    expect(report.byCommand.sshd).toBeGreaterThan(0)
  })

  it('shows no secret in any step log or summary', () => {
    const leaks = steps.flatMap(s => [
      ...leaksIn(s.log, `${s.name}: log`),
      ...leaksIn(s.summary, `${s.name}: summary`)
    ])
    expect(leaks).toEqual([])
  })

  it('puts no secret in an output or the saved state', () => {
    const leaks = steps.flatMap(s => [
      ...Object.entries(s.run.outputs).flatMap(([k, v]) => leaksIn(v, `${s.name}: output ${k}`)),
      ...Object.entries(s.run.state).flatMap(([k, v]) => leaksIn(v, `${s.name}: state ${k}`))
    ])
    expect(leaks).toEqual([])
  })

  it('puts no secret in the argv of any process on the server', () => {
    expect(
      report.argvHits.map(h => ({
        secret: h.secret,
        where: `argv of ${h.comm} (uid ${h.uid}): ${h.argv}`
      }))
    ).toEqual([])
  })

  it('puts no secret in an environment another user than root can read', () => {
    expect(
      report.environHits
        .filter(h => h.environOwner !== 0)
        .map(h => ({
          secret: h.secret,
          where: `environ of ${h.comm}, readable by uid ${h.environOwner}`
        }))
    ).toEqual([])
  })

  it('leaves secrets on the server only in the env file and its copies, mode 600', () => {
    const leaks = scanServer()
      .holders.filter(h => !(isEnvFile(h.file) && h.mode === '600'))
      .flatMap(h => h.secrets.map(secret => ({ secret, where: `${h.file} (mode ${h.mode})` })))
    expect(leaks).toEqual([])
    // The env files do hold the app's secrets: the scan reads what it should.
    expect(scanServer().holders.find(h => h.file === join(appDir, '.env'))?.secrets).toEqual([
      'APP_SECRET',
      'DB_PASSWORD'
    ])
  })

  it('leaves no secret in a file on the runner', () => {
    const leaks = scanRunner().holders.flatMap(h =>
      h.secrets.map(secret => ({ secret, where: `${h.file} (mode ${h.mode})` }))
    )
    expect(leaks).toEqual([])
  })

  it('keeps every state file private', () => {
    const open = stateFileModes().filter(
      ([file, mode]) => !file.endsWith('/') && (parseInt(mode, 8) & 0o077) !== 0
    )
    expect(open).toEqual([])
  })
})

/** Every file and directory under .deploy-kit and the dumps, and the env files, with their modes. */
function stateFileModes(): Array<[string, string]> {
  const modes: Array<[string, string]> = []
  const walk = (dir: string) => {
    modes.push([`${dir.slice(appDir.length + 1)}/`, (statSync(dir).mode & 0o777).toString(8)])
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      const stat = statSync(path)
      if (stat.isDirectory()) walk(path)
      else modes.push([path.slice(appDir.length + 1), (stat.mode & 0o777).toString(8)])
    }
  }
  for (const dir of ['.deploy-kit', 'backups']) {
    try {
      walk(join(appDir, dir))
    } catch {
      // not made
    }
  }
  for (const file of ['.env', '.env.bak']) {
    try {
      modes.push([file, (statSync(join(appDir, file)).mode & 0o777).toString(8)])
    } catch {
      // not made
    }
  }
  return modes.sort()
}

function printFigures(): void {
  if (!report) return
  const logLeaks = steps.flatMap(s => [
    ...leaksIn(s.log, `${s.name} log`),
    ...leaksIn(s.summary, `${s.name} summary`)
  ])
  const outputLeaks = steps.flatMap(s =>
    [...Object.values(s.run.outputs), ...Object.values(s.run.state)].flatMap(v =>
      leaksIn(v, s.name)
    )
  )
  const server = scanServer()
  const runnerScan = scanRunner()
  const serverLeaks = server.holders.filter(h => !(isEnvFile(h.file) && h.mode === '600'))
  const otherReadable = report.environHits.filter(h => h.environOwner !== 0)
  const places = [
    `${steps.length} step logs and summaries`,
    `${steps.reduce((n, s) => n + Object.keys(s.run.outputs).length + Object.keys(s.run.state).length, 0)} outputs and state values`,
    `argv and environ of ${report.processes} processes in ${report.polls} polls over ${(report.millis / 1000).toFixed(1)} s (one every ${(report.millis / Math.max(report.polls, 1)).toFixed(1)} ms)`,
    `${server.filesRead} files on the server`,
    `${runnerScan.filesRead} files on the runner`
  ]
  const lines = [
    `secret exposure: ${Object.keys(secrets).length} secrets (${Object.keys(secrets).join(', ')}) looked for in:`,
    ...places.map(p => `  ${p}`),
    `leaks: ${logLeaks.length} in logs/summaries, ${outputLeaks.length} in outputs/state, ${report.argvHits.length} in argv, ${otherReadable.length} in environments readable by a non-root user, ${serverLeaks.length} server files, ${runnerScan.holders.length} runner files`,
    ...logLeaks.map(l => `  log: ${l.secret} in ${l.where}`),
    ...outputLeaks.map(l => `  output: ${l.secret} in ${l.where}`),
    ...report.argvHits.map(
      h =>
        `  argv: ${h.secret} in ${h.comm} pid ${h.pid} uid ${h.uid}${h.inContainer ? ' (container)' : ''}: ${h.argv}`
    ),
    ...otherReadable.map(
      h => `  environ: ${h.secret} in ${h.comm} pid ${h.pid}, readable by uid ${h.environOwner}`
    ),
    ...serverLeaks.map(h => `  server file: ${h.secrets.join(', ')} in ${h.file} (mode ${h.mode})`),
    ...runnerScan.holders.map(
      h => `  runner file: ${h.secrets.join(', ')} in ${h.file} (mode ${h.mode})`
    ),
    `environments holding a secret, readable by root only: ${[...new Set(report.environHits.filter(h => h.environOwner === 0).map(h => `${h.comm}${h.inContainer ? ' (container)' : ''}`))].join(', ')}`,
    `env files holding secrets: ${server.holders
      .filter(h => isEnvFile(h.file))
      .map(h => `${h.file.slice(appDir.length + 1)} ${h.mode} (${h.secrets.join(', ')})`)
      .join('; ')}`,
    `state file modes: ${stateFileModes()
      .map(([f, m]) => `${f} ${m}`)
      .join(', ')}`
  ]
  console.log(lines.join('\n'))
}
