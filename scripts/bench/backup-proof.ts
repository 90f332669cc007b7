// The price of backup-verify: restore. A Django app with PostgreSQL 15 in
// Compose (the testbed's), a table of generated rows bringing the database to
// about 100 MB; the same migrate host code takes a dump with integrity checks
// only, and a dump proven by a restore into a scratch database, in turns.
import { HostContext } from '../../src/core/fleet.js'
import { mapInputs } from '../../src/core/inputs.js'
import { SshSession } from '../../src/core/ssh-session.js'
import { projectFor } from '../../src/server/compose.js'
import { COMPOSE_V2 } from '../../src/commands/compose.js'
import { takeBackup } from '../../src/migrate/backup.js'
import type { BackupRecord } from '../../src/migrate/restore-proof.js'
import { migrateHost } from '../../src/migrate/main.js'
import { readMigrateSettings } from '../../src/migrate/settings.js'
import { createDjangoApp } from '../../testbed/db-apps.js'
import { BenchContext, median, progress } from './context.js'

export interface BackupProof {
  databaseBytes: number
  rows: number
  /** Wall time of each takeBackup with backup-verify: integrity (the dump, gzip, the checks). */
  dumpMs: number[]
  /** Wall time of each takeBackup with backup-verify: restore (snapshot dump, checks, proof). */
  provenMs: number[]
  proofSeconds: number[]
  dumpBytes: number
  tables: number
}

const ROWS = 600_000

export async function measureBackupProof(ctx: BenchContext, runs: number): Promise<BackupProof> {
  const hosts = await ctx.hosts(1)
  const app = await createDjangoApp()
  try {
    await app.start()
    const inputs = (verify: string) =>
      readMigrateSettings(
        mapInputs({
          host: hosts.hostInput(1),
          key: hosts.key.privateKey,
          'known-hosts': hosts.knownHosts(),
          'app-dir': app.dir,
          'compose-files': app.composeFile,
          'project-name': app.projectName,
          tool: 'django',
          backup: 'pg_dump',
          'backup-verify': verify,
          'command-timeout': '0'
        })
      )
    const s = inputs('restore')
    const session = await SshSession.open(s.migrateHost, s.connection, s.connection.proxy)
    try {
      const host = new HostContext(session, '')
      await migrateHost(host, { ...s, backup: undefined })
      progress(`generating ${ROWS.toLocaleString('en-US')} rows`)
      await app.psql(
        'create table bench_rows (id bigint primary key, name text, body text); ' +
          `insert into bench_rows select g, md5(g::text), repeat(md5((g * 7)::text), 2) from generate_series(1, ${ROWS}) g; ` +
          'vacuum analyze bench_rows'
      )
      const databaseBytes = Number(await app.psql("select pg_database_size('postgres')"))
      progress(`database: ${Math.round(databaseBytes / 2 ** 20)} MiB`)
      const project = projectFor(s.app, COMPOSE_V2, app.dir)
      const figures: BackupProof = {
        databaseBytes,
        rows: ROWS,
        dumpMs: [],
        provenMs: [],
        proofSeconds: [],
        dumpBytes: 0,
        tables: 0
      }
      for (let i = 0; i < runs; i++) {
        for (const verify of ['integrity', 'restore'] as const) {
          const b = inputs(verify).backup!
          const started = performance.now()
          const record: BackupRecord = await takeBackup(host, b, project)
          const took = performance.now() - started
          progress(
            `backup-verify: ${verify} ${(took / 1000).toFixed(2)} s, ${record.sizeBytes} bytes`
          )
          if (verify === 'integrity') figures.dumpMs.push(took)
          else {
            figures.provenMs.push(took)
            figures.proofSeconds.push(record.proofSeconds)
            figures.dumpBytes = record.sizeBytes
            figures.tables = record.tables
          }
          await session.exec({ argv: ['rm', '-f', '--', record.file] })
        }
      }
      return figures
    } finally {
      await session.close()
    }
  } finally {
    await app.cleanup()
  }
}

export function backupProofSummary(f: BackupProof): {
  dump: number
  proven: number
  proof: number
} {
  return {
    dump: median(f.dumpMs),
    proven: median(f.provenMs),
    proof: median(f.proofSeconds) * 1000
  }
}
