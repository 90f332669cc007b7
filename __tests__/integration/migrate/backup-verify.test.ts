// backup-verify: restore, backup-copy-to: runner and backup-artifact against
// the testbed's real parts: a Django app (Django in the Debian image) with
// PostgreSQL 15 in Compose v2, reached through a real sshd. The migrate host's
// code runs in this process; the "server" shares this machine's disk, so a
// test can change a dump between the steps, as a broken disk or a wrong file
// would. GitHub's artifact service is the one part that is not real: it cannot
// be reached from here, so backup-artifact uploads, through GitHub's own
// client (@actions/artifact), to the testbed's stand-in for it
// (testbed/artifact-service.ts), which records what it received.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { DUMP_COMPLETE, verifyCommand } from '../../../src/commands/backup.js'
import { HostContext } from '../../../src/core/fleet.js'
import { mapInputs } from '../../../src/core/inputs.js'
import type { RemoteCommand } from '../../../src/core/remote-command.js'
import { ExecOptions, ExecResult, SshSession, Transport } from '../../../src/core/ssh-session.js'
import { migrateHost, MigrateReport, run } from '../../../src/migrate/main.js'
import { readMigrateSettings } from '../../../src/migrate/settings.js'
import { ArtifactService, startArtifactService } from '../../../testbed/artifact-service.js'
import { InProcessAction, throughEntry } from '../../helpers/in-process-action.js'
import { runAction } from '../../../testbed/action-runner.js'
import { createDjangoApp, DjangoApp } from '../../../testbed/db-apps.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { ensureBaseImages } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { startSshHosts, SshHosts } from '../../../testbed/ssh-hosts.js'

let hosts: SshHosts
let dockerPid: number | undefined
let django: DjangoApp
let runnerTemp: string

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  hosts = await startSshHosts(1)
  django = await createDjangoApp()
  await django.start()
  runnerTemp = mkdtempSync(join(tmpdir(), 'verify-runner-temp-'))
}, 30 * 60_000)

afterAll(async () => {
  await django?.cleanup()
  await hosts?.stop()
  if (dockerPid) await stopDocker(dockerPid)
  if (runnerTemp) rmSync(runnerTemp, { recursive: true, force: true })
})

/** The SSH session, with a hook after each command: what a test does to the server in between. */
class Between implements Transport {
  constructor(
    private readonly inner: SshSession,
    private readonly after: (cmd: RemoteCommand, r: ExecResult) => void = () => {},
    private readonly afterDownload: (local: string) => void = () => {}
  ) {}
  get label(): string {
    return this.inner.label
  }
  async exec(cmd: RemoteCommand, opts?: ExecOptions): Promise<ExecResult> {
    const r = await this.inner.exec(cmd, opts)
    this.after(cmd, r)
    return r
  }
  upload(local: string, remote: string): Promise<void> {
    return this.inner.upload(local, remote)
  }
  async download(remote: string, local: string): Promise<void> {
    await this.inner.download(remote, local)
    this.afterDownload(local)
  }
  close(): Promise<void> {
    return this.inner.close()
  }
}

function settings(extra: Record<string, string> = {}) {
  return readMigrateSettings(
    mapInputs({
      host: hosts.hostInput(1),
      key: hosts.key.privateKey,
      'known-hosts': hosts.knownHosts(),
      'app-dir': django.dir,
      'compose-files': django.composeFile,
      'project-name': django.projectName,
      tool: 'django',
      ...extra
    })
  )
}

async function migrate(
  extra: Record<string, string>,
  wrap: (s: SshSession) => Transport = s => s
): Promise<MigrateReport> {
  const s = settings(extra)
  const session = await SshSession.open(s.migrateHost, s.connection, s.connection.proxy)
  try {
    return await migrateHost(new HostContext(wrap(session), ''), s)
  } finally {
    await session.close()
  }
}

const isIntegrityCheck = (cmd: RemoteCommand) => cmd.argv.includes(DUMP_COMPLETE)
const columns = () =>
  django.psql(
    "select string_agg(column_name, ',' order by column_name) from information_schema.columns where table_name = 'shop_product'"
  )
const scratchDatabases = () =>
  django.psql("select count(*) from pg_database where datname like 'deploykit_proof_%'")

/** Runs the server's own integrity check (gzip, not empty, trailer) on a file, as takeBackup does. */
function passesIntegrity(file: string): boolean {
  const cmd = verifyCommand(file)
  try {
    execFileSync(cmd.argv[0], cmd.argv.slice(1), { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

beforeAll(async () => {
  await migrate({})
  await django.psql(
    "insert into shop_product (name, price) select 'item ' || g, g from generate_series(1, 200) g"
  )
  await migrate({ direction: 'down', target: 'shop 0001' })
  expect(await columns()).toBe('id,name')
}, 10 * 60_000)

describe('backup-verify: restore', () => {
  it('proves the dump by a restore, records its size, sha256, tables and time, and drops the scratch database', async () => {
    const report = await migrate({ backup: 'pg_dump', direction: 'down', target: 'shop 0001' })
    const b = report.backup!
    expect(b.verify).toBe('restore')
    const bytes = readFileSync(b.file)
    expect(b.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(b.sizeBytes).toBe(bytes.length)
    // blog_post, django_migrations and shop_product: the app's own tables
    expect(b.tables).toBe(3)
    expect(b.proofSeconds).toBeGreaterThan(0)
    expect(await scratchDatabases()).toBe('0')
  })

  it('refuses to migrate when a dump cut after the trailer check passes integrity but not the proof', async () => {
    let cut = ''
    const report = migrate(
      { backup: 'pg_dump' },
      s =>
        new Between(s, (cmd, r) => {
          if (!isIntegrityCheck(cmd) || r.code !== 0) return
          cut = cmd.argv[cmd.argv.length - 2]
          const text = gunzipSync(readFileSync(cut)).toString('utf8')
          const start = text.indexOf('COPY public.shop_product')
          const lines = text.slice(start).split('\n')
          // Half the product rows gone, then the end of the dump: the trailer is still there.
          const kept = text.slice(0, start) + lines.slice(0, 100).join('\n') + '\n\\.\n'
          writeFileSync(
            cut,
            gzipSync(kept + text.slice(text.lastIndexOf('--\n-- ' + DUMP_COMPLETE)))
          )
        })
    )
    await expect(report).rejects.toThrow(
      /failed the restore proof: .*shop_product has 99 rows, not 200.*nothing was migrated/
    )
    expect(passesIntegrity(cut)).toBe(true)
    expect(await columns()).toBe('id,name')
    expect(await scratchDatabases()).toBe('0')
  })

  it('refuses to migrate when the file holds a dump of another database', async () => {
    await django.psql('create database deploykit_other')
    await django.psql(
      'create table other_thing (n int); insert into other_thing values (1)',
      'deploykit_other'
    )
    const other = execFileSync(
      'docker',
      [
        'compose',
        '-p',
        django.projectName,
        '-f',
        join(django.dir, django.composeFile),
        'exec',
        '-T',
        'db',
        'pg_dump',
        '--clean',
        '--if-exists',
        '-d',
        'deploykit_other'
      ],
      { maxBuffer: 64 * 1024 * 1024 }
    )
    const report = migrate(
      { backup: 'pg_dump' },
      s =>
        new Between(s, (cmd, r) => {
          if (isIntegrityCheck(cmd) && r.code === 0)
            writeFileSync(cmd.argv[cmd.argv.length - 2], gzipSync(other))
        })
    )
    await expect(report).rejects.toThrow(
      /failed the restore proof: .*public\.shop_product is missing.*public\.other_thing is not in the source database.*nothing was migrated/
    )
    expect(await columns()).toBe('id,name')
    expect(await scratchDatabases()).toBe('0')
  })

  it('says the role may not create a database, and migrates nothing', async () => {
    await django.psql(
      'create role deploykit_nocreate login nocreatedb; grant pg_read_all_data to deploykit_nocreate'
    )
    const report = migrate({
      backup: 'pg_dump',
      'backup-service': 'db',
      'backup-database-url': 'postgresql://deploykit_nocreate@localhost/postgres'
    })
    await expect(report).rejects.toThrow(
      /cannot be proven: creating the scratch database failed: .*permission denied to create database.*may not create a database: give it CREATEDB, or use backup-verify: integrity; nothing was migrated/
    )
    expect(await columns()).toBe('id,name')
  })
})

describe('backup-copy-to: runner', () => {
  it('brings the proven dump back to RUNNER_TEMP with the same sha256, then migrates', async () => {
    process.env.RUNNER_TEMP = runnerTemp
    try {
      const report = await migrate({ backup: 'pg_dump', 'backup-copy-to': 'runner' })
      const b = report.backup!
      expect(b.runnerCopy).toBe(join(runnerTemp, 'deploykit-backups', b.file.split('/').pop()!))
      expect(createHash('sha256').update(readFileSync(b.runnerCopy)).digest('hex')).toBe(b.sha256)
      expect(readFileSync(b.runnerCopy).equals(readFileSync(b.file))).toBe(true)
      expect(await columns()).toBe('id,name,price')
    } finally {
      delete process.env.RUNNER_TEMP
    }
  })

  it('keeps no copy and migrates nothing when the copy does not match the server', async () => {
    process.env.RUNNER_TEMP = runnerTemp
    try {
      await migrate({ direction: 'down', target: 'shop 0001' })
      const report = migrate(
        { backup: 'pg_dump', 'backup-copy-to': 'runner' },
        s => new Between(s, undefined, local => writeFileSync(local, 'not the dump'))
      )
      await expect(report).rejects.toThrow(
        /backup-copy-to: runner failed: the copy of \S+ on the runner has sha256 [0-9a-f]{64}, not [0-9a-f]{64} as on the server; nothing was migrated/
      )
      expect(await columns()).toBe('id,name')
      const dir = join(runnerTemp, 'deploykit-backups')
      expect(
        existsSync(dir) ? execFileSync('ls', [dir]).toString().split('\n').filter(Boolean) : []
      ).not.toContainEqual(expect.stringMatching(/\.part$/))
    } finally {
      delete process.env.RUNNER_TEMP
    }
  })
})

describe('backup-artifact: true (GitHub’s artifact service is the testbed’s stand-in)', () => {
  let service: ArtifactService
  let action: InProcessAction
  const inputs = () => ({
    host: hosts.hostInput(1),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'app-dir': django.dir,
    'compose-files': django.composeFile,
    'project-name': django.projectName,
    tool: 'django',
    backup: 'pg_dump',
    'backup-copy-to': 'runner',
    'backup-artifact': 'true'
  })
  const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

  beforeAll(async () => {
    service = await startArtifactService()
    action = new InProcessAction(
      throughEntry(read => ({ readSettings: () => readMigrateSettings(read), run })),
      { RUNNER_TEMP: runnerTemp, ...service.env }
    )
  })
  afterAll(async () => {
    action?.remove()
    await service?.stop()
  })

  // The committed bundle under Node 24, as the runner runs it: GitHub's client is in a chunk of
  // its own, loaded only by a run that uploads.
  it('uploads the dump the server proved, the same sha256 and size, then migrates', async () => {
    await migrate({ direction: 'down', target: 'shop 0001' })
    const result = await runAction('migrate', inputs(), {
      env: { RUNNER_TEMP: runnerTemp, ...service.env }
    })
    if (result.code !== 0) throw new Error(result.output)
    const { outputs } = result
    const server = outputs['backup-file']
    const recorded = service.uploads.find(u => String(u.id) === outputs['backup-artifact-id'])!
    expect(recorded).toMatchObject({
      name: basename(server),
      mimeType: 'application/gzip',
      sizeBytes: readFileSync(server).length,
      sha256: sha256(server),
      finalizedSize: readFileSync(server).length,
      finalizedHash: `sha256:${sha256(server)}`
    })
    expect(outputs).toMatchObject({
      'backup-sha256': recorded.sha256,
      'backup-size': String(recorded.sizeBytes),
      'backup-artifact-name': recorded.name,
      'backup-runner-file': join(runnerTemp, 'deploykit-backups', recorded.name)
    })
    expect(result.summary).toContain(
      `uploaded as the workflow artifact ${recorded.name} (id ${recorded.id})`
    )
    expect(result.output).not.toContain(service.token)
    expect(service.refused).toEqual([])
    expect(await columns()).toBe('id,name,price')
  })

  it('migrates nothing when the upload is refused, and says where the dump still is', async () => {
    await migrate({ direction: 'down', target: 'shop 0001' })
    service.refuse('blob')
    try {
      const result = await action.runAction(inputs())
      expect(result.failed).toBe(true)
      const m =
        /backup-artifact failed: uploading (\S+) as a workflow artifact: the storage answered HTTP 403: the stand-in was told to refuse uploads; the dump is still on the server \((\S+)\) and on the runner \((\S+)\); nothing was migrated/.exec(
          result.output
        )
      expect(m).not.toBeNull()
      const [, name, server, runner] = m!
      expect(name).toBe(basename(server))
      expect(sha256(runner)).toBe(sha256(server))
      expect(result.outputs['backup-artifact-id']).toBe('')
      expect(service.uploads.filter(u => u.name === name && u.id !== undefined)).toEqual([])
      expect(service.refused).toContainEqual(
        expect.stringMatching(/^PUT blob .*comp=block.*: the stand-in was told to refuse uploads$/)
      )
      expect(await columns()).toBe('id,name')
    } finally {
      service.refuse()
    }
  })
})
