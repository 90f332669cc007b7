// restore-on-failure against the testbed's real parts: the Django app's
// PostgreSQL 15 in Compose v2, reached through a real sshd, the migrate
// stage run in this process. The "migration" is a command that changes rows
// with psql and then fails, so there is something to undo. A restore that
// fails halfway (a dump edited to fail after its first table's data, or a
// DROP that meets the app's lock) must leave the database as it was.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run } from '../../../src/migrate/main.js'
import { readMigrateSettings } from '../../../src/migrate/settings.js'
import { InProcessAction, InProcessRun, throughEntry } from '../../helpers/in-process-action.js'
import { createDjangoApp, DjangoApp } from '../../../testbed/db-apps.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { ensureBaseImages } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { runChecked, waitFor } from '../../../testbed/run.js'
import { startSshHosts, SshHosts } from '../../../testbed/ssh-hosts.js'

let hosts: SshHosts
let dockerPid: number | undefined
let app: DjangoApp
let action: InProcessAction

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  hosts = await startSshHosts(1)
  app = await createDjangoApp()
  await app.start()
  action = new InProcessAction(
    throughEntry(read => ({ readSettings: () => readMigrateSettings(read), run }))
  )
  const up = await migrate({ tool: 'django' })
  if (up.failed) throw new Error(up.output)
  await app.psql("insert into shop_product (name, price) values ('tea', 3), ('cake', 5)")
  await app.psql("insert into blog_post (title) values ('hello')")
}, 30 * 60_000)

afterAll(async () => {
  action?.remove()
  await app?.cleanup()
  await hosts?.stop()
  if (dockerPid) await stopDocker(dockerPid)
})

function migrate(inputs: Record<string, string>): Promise<InProcessRun> {
  return action.runAction({
    host: hosts.hostInput(1),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'app-dir': app.dir,
    'compose-files': app.composeFile,
    'project-name': app.projectName,
    ...inputs
  })
}

/** A failed migration with the backup restored: the command's changes are what the restore undoes. */
function failingMigration(command: string, extra: Record<string, string> = {}) {
  return migrate({
    tool: 'command',
    command,
    backup: 'pg_dump',
    'restore-on-failure': 'true',
    ...extra
  })
}

/** Every table with its rows, as text: what "the database as it was" means here. */
const snapshot = async () => ({
  tables: await app.psql(
    "select string_agg(table_name, ',' order by table_name) from information_schema.tables where table_schema = 'public'"
  ),
  products: await app.psql(
    "select string_agg(name || '=' || price, ',' order by name) from shop_product"
  ),
  posts: await app.psql('select count(*) from blog_post'),
  migrations: await app.psql('select count(*) from django_migrations')
})

async function backendState(): Promise<{ running: boolean; startedAt: string }> {
  const { stdout: id } = await runChecked(
    'docker',
    ['compose', '-p', app.projectName, '-f', app.composeFile, 'ps', '-aq', 'backend'],
    { cwd: app.dir }
  )
  const { stdout } = await runChecked('docker', [
    'inspect',
    '--format',
    '{{.State.Running}} {{.State.StartedAt}}',
    id.trim()
  ])
  const [running, startedAt] = stdout.trim().split(' ')
  return { running: running === 'true', startedAt }
}

const PSQL = 'psql -X -q -v ON_ERROR_STOP=1 -h db -U postgres -d postgres'

/** A session of another writer (not stopped by the restore) that holds `mode` on `table`. */
async function holdLock(table: string, mode: string): Promise<() => Promise<void>> {
  const child = spawn(
    'docker',
    ['compose', '-p', app.projectName, '-f', app.composeFile, 'exec', '-T', 'db', 'psql', '-X'],
    { cwd: app.dir, stdio: ['pipe', 'pipe', 'pipe'] }
  )
  let output = ''
  child.stdout.on('data', d => (output += d))
  child.stderr.on('data', d => (output += d))
  const exited = new Promise<void>(resolve => child.on('close', () => resolve()))
  child.stdin.write(`BEGIN;\nLOCK TABLE ${table} IN ${mode} MODE;\n\\echo locked\n`)
  await waitFor(async () => output.includes('locked'), 60_000, `a lock on ${table}`)
  return async () => {
    child.stdin.end('COMMIT;\n')
    await exited
  }
}

describe('restore-on-failure', () => {
  it('stops the migrated service, restores in one transaction, counts the rows, starts it again and says what is lost', async () => {
    const before = await snapshot()
    const backend = await backendState()
    const r = await failingMigration(
      `${PSQL} -c "delete from shop_product; drop table blog_post" && echo half-migrated && exit 4`
    )
    expect(r.failed).toBe(true)
    expect(r.output).toContain('half-migrated')
    expect(r.output).toMatch(
      /migration failed \(command, exit 4\).*The backup taken before it is \S+\.sql\.gz; it was restored in one transaction \(restore-on-failure\): \d+ tables, each with the rows the dump recorded; writes after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(the dump's time\) are lost; backend stopped during the restore and started again/
    )
    expect(await snapshot()).toEqual(before)
    // The order on the server: the service stopped, then the restore, then the service started.
    const stop = r.output.indexOf('stop backend')
    const restore = r.output.indexOf('--single-transaction')
    const start = r.output.indexOf('start backend')
    expect(stop).toBeGreaterThan(0)
    expect(restore).toBeGreaterThan(stop)
    expect(start).toBeGreaterThan(restore)
    const after = await backendState()
    expect(after.running).toBe(true)
    expect(after.startedAt).not.toBe(backend.startedAt)
  })

  it('leaves the database as the migration left it when the restore fails halfway', async () => {
    // The failed migration changes rows, then edits the newest dump (the app dir is
    // /app in the service, its backups with it) so that it fails after the first
    // table's data: every table was dropped and made again by then.
    writeFileSync(
      join(app.dir, 'break-dump.sh'),
      `set -e
f=$(ls -t /app/backups/deploykit-*.sql.gz | head -n 1)
gzip -dc "$f" | awk 'done != 1 && $0 == "\\\\." { print; print "select 1/0;"; done = 1; next } { print }' > /tmp/edited.sql
grep -q '^select 1/0;$' /tmp/edited.sql
gzip -c /tmp/edited.sql > "$f"
${PSQL} -c "update shop_product set price = 99; create table deploykit_new (n int); insert into deploykit_new values (1)"
exit 5
`
    )
    const r = await failingMigration('sh /app/break-dump.sh')
    expect(r.failed).toBe(true)
    expect(r.output).toMatch(
      /migration failed \(command, exit 5\).*restoring it FAILED and was rolled back as one transaction, so the database is as the migration left it: .*division by zero; backend stopped during the restore and started again/
    )
    expect(await snapshot()).toEqual({
      tables: 'blog_post,deploykit_new,django_migrations,shop_product',
      products: 'cake=99.00,tea=99.00',
      posts: '1',
      migrations: '3'
    })
    expect(await app.psql('select count(*) from deploykit_new')).toBe('1')
    expect((await backendState()).running).toBe(true)
    await app.psql('drop table deploykit_new; update shop_product set price = 3')
  })

  it("fails the restore at once on the app's lock (restore-lock-timeout) instead of waiting, and changes nothing", async () => {
    const before = await snapshot()
    // What an app's open UPDATE holds: no bar to pg_dump, but DROP TABLE waits for it.
    const release = await holdLock('blog_post', 'ROW EXCLUSIVE')
    let r: InProcessRun
    try {
      r = await failingMigration(`${PSQL} -c "delete from shop_product" && exit 6`, {
        'restore-lock-timeout': '2'
      })
    } finally {
      await release()
    }
    expect(r.failed).toBe(true)
    expect(r.output).toMatch(/waiting at most 2s for a lock/)
    expect(r.output).toMatch(
      /restoring it FAILED and was rolled back as one transaction, so the database is as the migration left it: .*lock timeout/
    )
    // As the migration left it: its delete stands, nothing of the restore does.
    expect(await snapshot()).toEqual({ ...before, products: '' })
  })

  it('refuses restore-on-failure without a backup, and a stop list naming the backup service, before anything runs', async () => {
    const none = await migrate({ tool: 'django', 'restore-on-failure': 'true' })
    expect(none.failed).toBe(true)
    expect(none.output).toMatch(/restore-on-failure.*backup is none/)
    const db = await migrate({
      tool: 'django',
      backup: 'pg_dump',
      'restore-on-failure': 'true',
      'restore-stop-services': 'backend db'
    })
    expect(db.failed).toBe(true)
    expect(db.output).toMatch(/restore-stop-services.*names db, the backup-service/)
    expect(db.output).not.toContain('pg_dump')
  })
})
