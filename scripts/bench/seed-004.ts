// The price of the safety, on seed 004's deploy. Two copies of seed 004's
// shape on one sshd host (the bench's, on this machine's engine): an Alembic
// app on branch master, its compose file in deploy/, an `api` service built
// from the repository (`COPY . /app`, python3's http.server answering
// /api/health) and PostgreSQL 15 in `db`. Each copy has its own repository,
// server directory and Compose project, and is deployed once untimed first,
// so the base image and the database are there. Then, in turns (the order
// flips every round), each copy gets a new commit — one new Alembic revision
// (a column added to `items`) and a new /api/health body — and is deployed:
//
// (a) by the root action, the committed bundle dist/deploy/index.js under
//     Node 24 as the seed flows run it (deploy.yml's `$/deploy` step):
//     `source: git` of the exact commit, `build: true`, a pg_dump backup
//     proven by a restore into a scratch database (`backup-verify: restore`),
//     `alembic upgrade head` in the api service, then the smoke check of
//     /api/health from the runner; timed from the process's start to its exit;
// (b) by the runbook's own commands, by hand: one OpenSSH `ssh` (`-F
//     /dev/null`, the bench's key and known_hosts) running
//       cd DIR && git pull origin master && dc up -d --build &&
//       dc exec -T api alembic upgrade head
//     with the runbook's `dc`, `docker compose --env-file .env -f
//     deploy/docker-compose.prod.yml` (the server's untracked .env names the
//     Compose project); timed from the spawn of ssh to its exit.
//
// After each, untimed: the database's alembic_version must be the new
// revision and /api/health must answer the new body, so both really changed
// the server. Both log in as the bench user (/bin/sh, docker group). What
// (a) does beyond (b): the checks on the host before any change, the lock,
// the release log and the release's image tags, the wait until the
// containers have run without a restart for `wait-stable` (5 s by default),
// the backup and its proof, and the smoke check. The root action has no
// output for the dump's size or the proof's time (migrate has), so the size
// is the backup-file output's on disk and the proof's seconds are read from
// the log's "Backup written and verified" line; the log's stage lines split
// each whole deploy's time (STAGES).
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { runAction } from '../../testbed/action-runner.js'
import { alembicRevisionFile, dbService } from '../../testbed/db-apps.js'
import { httpText } from '../../testbed/apps.js'
import { DEBIAN_IMAGE } from '../../testbed/images.js'
import { freePort } from '../../testbed/ports.js'
import { run, runChecked } from '../../testbed/run.js'
import { SshHosts } from '../../testbed/ssh-hosts.js'
import { BENCH_USER, BenchContext, connectionInputs, opensshArgs, progress } from './context.js'

export interface Seed004 {
  /** Wall time of each whole deploy (a), process start to exit. */
  deployMs: number[]
  /** Wall time of each runbook run (b), ssh's start to exit. */
  runbookMs: number[]
  /** Per whole deploy, the dump's size on the server and the proof's seconds (from its log). */
  backupBytes: number[]
  proofSeconds: number[]
  tables: number
  /** Per whole deploy, milliseconds of each stage, split where its log marks them. */
  stages: Record<Stage, number[]>
  /** The revision each copy's database ended on. */
  revisions: { deploy: string; runbook: string }
}

/**
 * The whole deploy's time in parts, each ending where the next one's line
 * reaches the log: Node's start and the inputs; ssh-deploy until its first
 * look at the new containers (checks on the host, lock, fetch, checkout,
 * build, up); the settle wait (`wait-stable`, 5 s by default: no restart
 * meanwhile) and the release's record; the migrate stage until its dump is
 * proven (Compose detection, the revision read, pg_dump in a snapshot, the
 * checks, the restore); the migration (with the revision read after it and
 * the pruning of old dumps); the smoke check until the process exits.
 */
export const STAGES = ['start', 'deploy', 'settle', 'backup', 'migration', 'smoke-check'] as const
export type Stage = (typeof STAGES)[number]
const STAGE_ENDS = [
  '▶ ssh-deploy',
  'Containers: ',
  '▶ migrate',
  'Backup written and verified',
  '▶ smoke-check'
]

/** When (ms after `started`) the output first held each of STAGE_ENDS, from chunks as they came. */
function stageTimer(started: number) {
  let output = ''
  const seen: number[] = []
  return {
    onOutput(text: string) {
      output += text
      const at = performance.now() - started
      while (seen.length < STAGE_ENDS.length && output.includes(STAGE_ENDS[seen.length]))
        seen.push(at)
    },
    split(totalMs: number): number[] {
      if (seen.length < STAGE_ENDS.length)
        throw new Error(`the log lacks ${STAGE_ENDS[seen.length]}:\n${output}`)
      const ends = [...seen, totalMs]
      return ends.map((end, i) => end - (i === 0 ? 0 : ends[i - 1]))
    }
  }
}

const BRANCH = 'master'
const COMPOSE_FILE = 'deploy/docker-compose.prod.yml'
const ALEMBIC_SOURCES = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'testbed',
  'db-apps',
  'alembic'
)
// The runbook's prefix, `dc`.
const DC = `docker compose --env-file .env -f ${COMPOSE_FILE}`

function composeText(port: number): string {
  return `# seed 004's shape: the api built from the repository, PostgreSQL beside it.
services:
${dbService()}  api:
    build:
      context: ..
      dockerfile: deploy/Dockerfile
    working_dir: /app
    command: ["sh", "-c", "python3 -m http.server -d /app/www 8000 & trap 'kill $$!; exit 0' TERM; wait"]
    environment:
      DATABASE_URL: "postgresql://postgres@db/postgres"
      PYTHONDONTWRITEBYTECODE: "1"
    ports: ["127.0.0.1:${port}:8000"]
    depends_on:
      db:
        condition: service_healthy
`
}

interface Copy {
  name: 'deploy' | 'runbook'
  work: string
  bare: string
  server: string
  project: string
  port: number
}

function git(dir: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-C', dir, ...args],
    { encoding: 'utf8' }
  ).trim()
}

function chownTree(dir: string, ids: { uid: number; gid: number }): void {
  execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, dir])
}

/** An app repository pushed to a bare remote the bench user owns (git refuses another user's). */
function makeCopy(ctx: BenchContext, name: Copy['name'], port: number): Copy {
  const work = join(ctx.servers, `${name}-src`)
  const bare = join(ctx.servers, `${name}-origin.git`)
  cpSync(ALEMBIC_SOURCES, work, { recursive: true })
  mkdirSync(join(work, 'deploy'))
  mkdirSync(join(work, 'www', 'api'), { recursive: true })
  writeFileSync(join(work, COMPOSE_FILE), composeText(port))
  writeFileSync(join(work, 'deploy', 'Dockerfile'), `FROM ${DEBIAN_IMAGE}\nCOPY . /app\n`)
  // What the server's app dir holds besides the code: deploy-kit's state, the dumps, the env file.
  writeFileSync(join(work, '.dockerignore'), '.git\n.deploy-kit\nbackups\n.env*\n')
  writeFileSync(join(work, '.gitignore'), '.deploy-kit/\nbackups/\n.env\n')
  writeFileSync(join(work, 'www', 'api', 'health'), `ok ${name} v1\n`)
  execFileSync('git', ['init', '-q', '--bare', '-b', BRANCH, bare])
  execFileSync('git', ['init', '-q', '-b', BRANCH, work])
  return {
    name,
    work,
    bare,
    server: ctx.dir(`${name}-app`),
    project: ctx.project(name === 'deploy' ? '004a' : '004b'),
    port
  }
}

function commitAndPush(copy: Copy, message: string, ids: { uid: number; gid: number }): string {
  git(copy.work, 'add', '-A')
  git(copy.work, 'commit', '-q', '-m', message)
  chownTree(copy.bare, { uid: 0, gid: 0 })
  git(copy.work, 'push', '-q', copy.bare, `HEAD:refs/heads/${BRANCH}`)
  chownTree(copy.bare, ids)
  return git(copy.work, 'rev-parse', 'HEAD')
}

/** Revision `0003`, `0004`, … of round 1, 2, …: a column of its own on `items`. */
function addRevision(copy: Copy, round: number): string {
  const id = String(2 + round).padStart(4, '0')
  const down = String(1 + round).padStart(4, '0')
  writeFileSync(
    join(copy.work, 'migrations', 'versions', `${id}_bench_r${round}.py`),
    alembicRevisionFile(
      id,
      down,
      `add items.bench_r${round}`,
      `op.add_column('items', sa.Column('bench_r${round}', sa.Integer(), nullable=True))`,
      `op.drop_column('items', 'bench_r${round}')`
    )
  )
  writeFileSync(join(copy.work, 'www', 'api', 'health'), `ok ${copy.name} r${round}\n`)
  return id
}

async function dbRevision(project: string): Promise<string> {
  const { stdout: id } = await runChecked('docker', [
    'ps',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    'label=com.docker.compose.service=db'
  ])
  if (!id.trim()) throw new Error(`project ${project} has no db container`)
  const { stdout } = await runChecked('docker', [
    'exec',
    id.trim(),
    'psql',
    '-X',
    '-At',
    '-d',
    'postgres',
    '-c',
    'select version_num from alembic_version'
  ])
  return stdout.trim()
}

/** The revision in the database and the body of /api/health must be the commit's. */
async function mustBeLive(copy: Copy, revision: string, body: string): Promise<void> {
  const [got, health] = [
    await dbRevision(copy.project),
    await httpText(`http://127.0.0.1:${copy.port}/api/health`)
  ]
  if (got !== revision || health !== body)
    throw new Error(
      `${copy.name}: expected revision ${revision} and /api/health ${JSON.stringify(body)}, ` +
        `found ${got} and ${JSON.stringify(health)}`
    )
}

const PROOF_LINE =
  /Backup written and verified: \S+ \((\d+) bytes, sha256 [0-9a-f]{64}, (\d+) tables proven by a restore in ([\d.]+) s\)/

export async function measureSeed004(ctx: BenchContext, runs: number): Promise<Seed004> {
  ctx.prepareUser()
  const hosts: SshHosts = await ctx.hosts(1)
  const server = hosts.servers[0]
  const knownHosts = join(ctx.servers, 'known_hosts-004')
  writeFileSync(knownHosts, hosts.knownHosts() + '\n')
  const ssh = (command: string) =>
    run('ssh', opensshArgs(hosts, server, BENCH_USER, knownHosts, command))

  const a = makeCopy(ctx, 'deploy', await freePort())
  const b = makeCopy(ctx, 'runbook', await freePort())
  // The bench user's uid and gid, from the server directory the context made for it.
  const { uid, gid } = statSync(a.server)
  const ids = { uid, gid }
  const inputs = (sha: string): Record<string, string> => ({
    ...connectionInputs(hosts),
    'app-dir': a.server,
    repository: a.bare,
    ref: sha,
    'compose-files': COMPOSE_FILE,
    'project-name': a.project,
    build: 'true',
    'migrate-tool': 'alembic',
    'migrate-service': 'api',
    'migrate-down-target': '-1',
    backup: 'pg_dump',
    'backup-verify': 'restore',
    'smoke-urls': `http://127.0.0.1:${a.port}/api/health`,
    'smoke-expect-status': '200',
    'smoke-wait-timeout': '60'
  })
  const wholeDeploy = async (sha: string) => {
    const started = performance.now()
    const timer = stageTimer(started)
    const r = await runAction('deploy', inputs(sha), {
      env: { GITHUB_SHA: sha },
      onOutput: timer.onOutput
    })
    const ms = performance.now() - started
    if (r.code !== 0 || r.outputs['rolled-back'] === 'true')
      throw new Error(`the whole deploy of ${sha} failed (${r.code}):\n${r.output}`)
    return { r, ms, split: () => timer.split(ms) }
  }
  const runbook = async () => {
    const started = performance.now()
    const r = await ssh(
      `cd ${b.server} && git pull origin ${BRANCH} && ${DC} up -d --build && ${DC} exec -T api alembic upgrade head`
    )
    const ms = performance.now() - started
    if (r.code !== 0) throw new Error(`the runbook over ssh failed (${r.code}):\n${r.stderr}`)
    return ms
  }

  progress('seed 004: first deploy of each copy (untimed)')
  const v1a = commitAndPush(a, 'v1', ids)
  await wholeDeploy(v1a)
  await mustBeLive(a, '0002', 'ok deploy v1\n')
  commitAndPush(b, 'v1', ids)
  // The server's clone and its untracked .env, which names the project as the runbook's `dc` needs.
  const setup = await ssh(
    `git clone -q -b ${BRANCH} ${b.bare} ${b.server} && ` +
      `printf 'COMPOSE_PROJECT_NAME=%s\\n' ${b.project} > ${b.server}/.env && ` +
      `cd ${b.server} && ${DC} up -d --build && ${DC} exec -T api alembic upgrade head`
  )
  if (setup.code !== 0) throw new Error(`the runbook's first deploy failed:\n${setup.stderr}`)
  await mustBeLive(b, '0002', 'ok runbook v1\n')

  const f: Seed004 = {
    deployMs: [],
    runbookMs: [],
    backupBytes: [],
    proofSeconds: [],
    tables: 0,
    stages: Object.fromEntries(STAGES.map(stage => [stage, []])) as unknown as Seed004['stages'],
    revisions: { deploy: '', runbook: '' }
  }
  for (let round = 1; round <= runs; round++) {
    const revA = addRevision(a, round)
    const shaA = commitAndPush(a, `r${round}: revision ${revA}`, ids)
    const revB = addRevision(b, round)
    commitAndPush(b, `r${round}: revision ${revB}`, ids)
    const turns = round % 2 ? (['deploy', 'runbook'] as const) : (['runbook', 'deploy'] as const)
    for (const turn of turns) {
      if (turn === 'deploy') {
        const { r, ms, split } = await wholeDeploy(shaA)
        await mustBeLive(a, revA, `ok deploy r${round}\n`)
        const proof = PROOF_LINE.exec(r.output)
        if (!proof) throw new Error(`the whole deploy's log has no proven backup:\n${r.output}`)
        const file = r.outputs['backup-file']
        f.deployMs.push(ms)
        split().forEach((part, i) => f.stages[STAGES[i]].push(part))
        f.backupBytes.push(statSync(file).size)
        f.proofSeconds.push(Number(proof[3]))
        f.tables = Number(proof[2])
        progress(
          `seed 004 round ${round} of ${runs}: whole deploy ${(ms / 1000).toFixed(2)} s ` +
            `(backup ${statSync(file).size} bytes, proof ${proof[3]} s)`
        )
      } else {
        const ms = await runbook()
        await mustBeLive(b, revB, `ok runbook r${round}\n`)
        f.runbookMs.push(ms)
        progress(`seed 004 round ${round} of ${runs}: runbook over ssh ${(ms / 1000).toFixed(2)} s`)
      }
    }
  }
  f.revisions = { deploy: await dbRevision(a.project), runbook: await dbRevision(b.project) }
  return f
}
