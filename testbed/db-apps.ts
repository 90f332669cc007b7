import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { removeComposeProject } from './apps.js'
import { DEBIAN_IMAGE, ensureBaseImages } from './images.js'
import { freePort } from './ports.js'
import { run, runChecked, tail, waitFor } from './run.js'

/**
 * Real Compose apps with PostgreSQL for the migrate and collectstatic tests,
 * made only from the cached Debian image: a Django app (with nginx serving
 * collected static files) and an Alembic app. The Python sources live in
 * `db-apps/` next to this file; the compose files are written here because
 * they carry the image name and a free port.
 */
export interface DbApp {
  /** App dir (the "server" app-dir): holds docker-compose.yml and the project. */
  dir: string
  composeFile: string
  /**
   * Unique per call, lower-case. It is also the basename of `dir`, so Compose
   * run in `dir` without `-p` lands on the same project.
   */
  projectName: string
  /**
   * Runs SQL with psql inside the db service as postgres and returns its -At
   * output without the final newline; throws when psql fails.
   */
  psql(sql: string, database?: string): Promise<string>
  /**
   * Holds an ACCESS EXCLUSIVE lock on `table` from a psql session in the db
   * service until `release`: a pg_dump started meanwhile waits for it, so a
   * test can look at it while it runs.
   */
  lockTable(table: string): Promise<{ release(): Promise<void> }>
  /** `docker compose up -d` for the long-running services; resolves once db is healthy. */
  start(): Promise<void>
  /** Removes the project's containers, networks and volumes, then `dir`. */
  cleanup(): Promise<void>
}

export interface DjangoApp extends DbApp {
  /** Loopback port where nginx serves the `static` volume at /static/. */
  nginxPort: number
  /** Loopback port published for PostgreSQL, for a pg_dump on the server itself. */
  dbPort: number
  /** Writes shop/migrations/0003_boom.py: a RunPython migration that raises RuntimeError('boom: …'). */
  addFailingMigration(): void
  /**
   * Seed 001's shape: the compose file builds the backend image from the app
   * dir (`COPY . /app`, a Dockerfile and .dockerignore written beside it), so
   * each release's code and static sources live in its own image, with the
   * modification times of the checkout it was built from.
   */
  buildBackend(): void
}

const SOURCES = join(dirname(fileURLToPath(import.meta.url)), 'db-apps')

/** The Alembic app's sources (alembic.ini, migrations/ with 0001 and 0002), to copy into a release's tree. */
export const ALEMBIC_SOURCES = join(SOURCES, 'alembic')
const COMPOSE_FILE = 'docker-compose.yml'
const COMPOSE_TIMEOUT_MS = 180_000
const HEALTHY_TIMEOUT_MS = 60_000

// No passwords, but only for what the fixture uses: the OS user postgres over
// the socket, and any client on the compose network (samenet), never any address.
// A role named deploykit_secret, which a test may create, needs its password
// from anywhere (the host's connections to the published port come from samenet too).
export const PASSWORD_ROLE = 'deploykit_secret'
const PG_HBA = [
  'local all all peer',
  `host all ${PASSWORD_ROLE} all scram-sha-256`,
  'host all all samenet trust'
]
const PG_CONF_DIR = '/etc/postgresql/15/main'
// Debian made the cluster when the image was built; the postgres user owns its
// config dir, so the container can write its own pg_hba.conf before starting.
const DB_COMMAND =
  `printf '%s\\n' ${PG_HBA.map(line => `'${line}'`).join(' ')} > ${PG_CONF_DIR}/pg_hba.conf && ` +
  `exec /usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main ` +
  `-c config_file=${PG_CONF_DIR}/postgresql.conf -c 'listen_addresses=*' -c ssl=off`

// `sleep` as PID 1 ignores SIGTERM, which would make every stop wait for Docker's 10 s kill.
const IDLE_COMMAND = "trap 'exit 0' TERM; sleep infinity & wait"

/** A YAML flow sequence; JSON strings are valid YAML double-quoted scalars. */
const list = (items: string[]) => `[${items.map(item => JSON.stringify(item)).join(', ')}]`

/** The `db` service of the apps' compose files: PostgreSQL 15 from the Debian image, healthy once it answers. */
export function dbService(publishedPort?: number): string {
  return `  db:
    image: ${DEBIAN_IMAGE}
    user: postgres
    command: ${list(['sh', '-c', DB_COMMAND])}
${publishedPort ? `    ports:\n      - "127.0.0.1:${publishedPort}:5432"\n` : ''}
    # SIGTERM is PostgreSQL's "smart" shutdown, which waits for clients to leave.
    stop_signal: SIGINT
    healthcheck:
      test: ${list(['CMD', 'pg_isready', '-q', '-U', 'postgres'])}
      interval: 1s
      timeout: 3s
      retries: 60
`
}

function backendService(
  volumes: string[],
  env: Record<string, string> = {},
  built = false
): string {
  // Python run as root in the container would leave root-owned __pycache__ in the app dir.
  const environment = { PYTHONDONTWRITEBYTECODE: '1', ...env }
  return `  backend:
    ${built ? 'build: .' : `image: ${DEBIAN_IMAGE}`}
    working_dir: /app
    command: ${list(['sh', '-c', IDLE_COMMAND])}
    environment:
${Object.entries(environment)
  .map(([name, value]) => `      ${name}: ${JSON.stringify(value)}\n`)
  .join('')}    volumes: ${list(volumes)}
    depends_on:
      db:
        condition: service_healthy
`
}

function djangoCompose(nginxPort: number, dbPort: number, built = false): string {
  return `# Django + PostgreSQL + nginx; the one-shot migrators sit in a profile so \`up -d\` leaves them alone.
services:
${dbService(dbPort)}${
    built
      ? backendService(['static:/static'], {}, true)
      : backendService(['./:/app', 'static:/static'])
  }  nginx:
    image: ${DEBIAN_IMAGE}
    command: ${list(['nginx', '-g', 'daemon off;'])}
    volumes:
      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro
      - static:/static:ro
    ports:
      - "127.0.0.1:${nginxPort}:80"
  migrator:
    image: ${DEBIAN_IMAGE}
    profiles: ["one-shot"]
    command: ${list(['sh', '-c', 'echo migrator ran; exit 0'])}
  bad-migrator:
    image: ${DEBIAN_IMAGE}
    profiles: ["one-shot"]
    command: ${list(['sh', '-c', 'echo migrator failed on purpose >&2; exit 3'])}
volumes:
  static:
`
}

function alembicCompose(): string {
  return `# Alembic + PostgreSQL; env.py reads DATABASE_URL.
services:
${dbService()}${backendService(['./:/app'], {
    DATABASE_URL: 'postgresql://postgres@db/postgres'
  })}`
}

const FAILING_MIGRATION = `from django.db import migrations


def boom(apps, schema_editor):
    raise RuntimeError('boom: this migration fails on purpose')


class Migration(migrations.Migration):
    dependencies = [
        ('shop', '0002_product_price'),
    ]

    operations = [
        migrations.RunPython(boom, migrations.RunPython.noop),
    ]
`

async function createDbApp(kind: 'django' | 'alembic', composeText: string): Promise<DbApp> {
  await ensureBaseImages()
  const projectName = `dk-${kind}-${randomBytes(4).toString('hex')}`
  const dir = join(tmpdir(), projectName)
  // Not recursive: an existing dir would mean a name clash, which must not be shared silently.
  mkdirSync(dir)
  cpSync(join(SOURCES, kind), dir, { recursive: true })
  writeFileSync(join(dir, COMPOSE_FILE), composeText)

  const compose = (args: string[], input?: string) =>
    runChecked('docker', ['compose', '-p', projectName, '-f', COMPOSE_FILE, ...args], {
      cwd: dir,
      input,
      timeoutMs: COMPOSE_TIMEOUT_MS
    })

  const dbHealth = async () => {
    const { stdout: id } = await compose(['ps', '-q', 'db'])
    if (!id.trim()) return 'missing'
    const { stdout } = await runChecked('docker', [
      'inspect',
      '--format',
      '{{.State.Health.Status}}',
      id.trim()
    ])
    return stdout.trim()
  }

  return {
    dir,
    composeFile: COMPOSE_FILE,
    projectName,
    async psql(sql, database = 'postgres') {
      const { stdout } = await compose(
        ['exec', '-T', 'db', 'psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', database],
        sql
      )
      return stdout.replace(/\n$/, '')
    },
    lockTable(table) {
      const child = spawn(
        'docker',
        ['compose', '-p', projectName, '-f', COMPOSE_FILE, 'exec', '-T', 'db', 'psql', '-X', '-q'],
        { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] }
      )
      let output = ''
      const exited = new Promise<void>(resolve => child.on('close', () => resolve()))
      child.stdout.on('data', d => (output += d))
      child.stderr.on('data', d => (output += d))
      child.stdin.write(`BEGIN;\nLOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE;\n\\echo locked\n`)
      let released = false
      const release = async () => {
        if (!released) child.stdin.end('COMMIT;\n')
        released = true
        await exited
      }
      return waitFor(
        async () => output.includes('locked') || child.exitCode !== null,
        HEALTHY_TIMEOUT_MS,
        `a lock on ${table}`
      )
        .then(() => {
          if (!output.includes('locked')) throw new Error('psql exited')
          return { release }
        })
        .catch(async (err: Error) => {
          await release()
          throw new Error(`cannot lock ${table}: ${err.message}: ${output}`)
        })
    },
    async start() {
      await compose(['up', '-d'])
      try {
        await waitFor(
          async () => (await dbHealth()) === 'healthy',
          HEALTHY_TIMEOUT_MS,
          `db of ${projectName} to be healthy`
        )
      } catch (err) {
        const logs = await run(
          'docker',
          ['compose', '-p', projectName, 'logs', '--no-color', 'db'],
          {
            cwd: dir
          }
        )
        throw new Error(`${(err as Error).message}\n${tail(logs.stdout + logs.stderr)}`)
      }
    },
    async cleanup() {
      await removeComposeProject(projectName)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/**
 * Django project `mysite` with apps `shop` (0001_initial, 0002_product_price)
 * and `blog` (0001_initial), and shop/static/shop/hello.txt (`hello static`).
 * Services: db, backend (app dir at /app, `static` volume at /static), nginx
 * (the `static` volume at http://127.0.0.1:nginxPort/static/), and the
 * one-shots `migrator` (exit 0) and `bad-migrator` (exit 3) for `run --rm`.
 */
export async function createDjangoApp(): Promise<DjangoApp> {
  const nginxPort = await freePort()
  const dbPort = await freePort()
  const app = await createDbApp('django', djangoCompose(nginxPort, dbPort))
  return {
    ...app,
    nginxPort,
    dbPort,
    addFailingMigration() {
      writeFileSync(join(app.dir, 'shop', 'migrations', '0003_boom.py'), FAILING_MIGRATION)
    },
    buildBackend() {
      writeFileSync(join(app.dir, COMPOSE_FILE), djangoCompose(nginxPort, dbPort, true))
      writeFileSync(join(app.dir, 'Dockerfile'), `FROM ${DEBIAN_IMAGE}\nCOPY . /app\n`)
      // What the server's app dir holds besides the code: deploy-kit's state, the dumps, the env file.
      writeFileSync(join(app.dir, '.dockerignore'), '.git\n.deploy-kit\nbackups\n.env*\n')
    }
  }
}

/**
 * alembic.ini and migrations/ with revisions 0001 (create table items(id,
 * name)) and 0002 (add column price). Services: db, and backend with the app
 * dir at /app and DATABASE_URL pointing at db.
 */
export async function createAlembicApp(): Promise<DbApp> {
  return createDbApp('alembic', alembicCompose())
}

/** An Alembic revision file for the Alembic app's migrations/versions, with these two function bodies. */
export function alembicRevisionFile(
  id: string,
  down: string | null,
  title: string,
  upgrade: string,
  downgrade: string
): string {
  return `"""${title}

Revision ID: ${id}
Revises: ${down ?? ''}
"""
import sqlalchemy as sa
from alembic import op

revision = '${id}'
down_revision = ${down ? `'${down}'` : 'None'}
branch_labels = None
depends_on = None


def upgrade():
    ${upgrade}


def downgrade():
    ${downgrade}
`
}
