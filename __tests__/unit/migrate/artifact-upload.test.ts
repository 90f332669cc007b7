// backup-artifact: the runner's copy of a dump uploaded by @actions/artifact.
// GitHub's artifact service cannot be reached from here: the client talks to
// the testbed's stand-in (testbed/artifact-service.ts), built on the client's
// own Twirp types, which records what it received.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HostContext } from '../../../src/core/fleet.js'
import type { Transport } from '../../../src/core/ssh-session.js'
import { uploadBackupArtifact } from '../../../src/migrate/artifact-upload.js'
import { backupOutputs, backupSummaryLine } from '../../../src/migrate/backup-report.js'
import type { BackupRecord } from '../../../src/migrate/restore-proof.js'
import { ArtifactService, startArtifactService } from '../../../testbed/artifact-service.js'
import { captureOutput } from '../../helpers/capture-output.js'

const nothingRuns: Transport = {
  label: 'deploy@web1',
  exec: () => Promise.reject(new Error('an upload runs nothing on the server')),
  upload: () => Promise.reject(new Error('an upload sends nothing to the server')),
  close: () => Promise.resolve()
}
const host = new HostContext(nothingRuns, '')
let service: ArtifactService
let dir: string
let serial = 0

beforeAll(async () => {
  service = await startArtifactService()
  dir = mkdtempSync(join(tmpdir(), 'artifact-upload-'))
})
afterAll(async () => {
  await service.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** A dump as the runner holds it after backup-copy-to: runner, with the server's checksum. */
function runnerCopy(data = Buffer.from(`dump ${++serial}\n`.repeat(1000))): BackupRecord {
  const name = `deploykit-app-20261203T0700${String(serial).padStart(2, '0')}Z.sql.gz`
  writeFileSync(join(dir, name), data)
  return {
    file: `/srv/app/backups/${name}`,
    verify: 'restore',
    sizeBytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    tables: 3,
    proofSeconds: 1.5,
    runnerCopy: join(dir, name)
  }
}

async function inJob<T>(env: Record<string, string>, f: () => Promise<T>) {
  const saved = { ...process.env }
  delete process.env.ACTIONS_RUNTIME_TOKEN
  delete process.env.ACTIONS_RESULTS_URL
  Object.assign(process.env, env)
  try {
    return await captureOutput(f)
  } finally {
    for (const name of Object.keys(env)) delete process.env[name]
    Object.assign(process.env, saved)
  }
}

describe('uploadBackupArtifact', () => {
  it('uploads the dump itself, named after its file, and says so in the outputs and summary', async () => {
    const record = runnerCopy()
    const { value, error, output } = await inJob(service.env, () =>
      uploadBackupArtifact(host, record, 14)
    )
    expect(error).toBeUndefined()
    const recorded = service.uploads.find(u => u.id === value?.id)!
    expect(recorded).toMatchObject({
      name: record.runnerCopy.split('/').pop(),
      sizeBytes: record.sizeBytes,
      sha256: record.sha256,
      finalizedHash: `sha256:${record.sha256}`
    })
    expect(value).toEqual({ id: recorded.id, name: recorded.name })
    expect(output).toContain(
      `Backup uploaded as workflow artifact ${recorded.name} (id ${recorded.id}), sha256 compared`
    )
    expect(output).not.toContain(service.token)
    const withArtifact = { ...record, artifact: value! }
    expect(backupOutputs(withArtifact)).toMatchObject({
      'backup-artifact-id': String(recorded.id),
      'backup-artifact-name': recorded.name
    })
    expect(backupOutputs(record)).toMatchObject({
      'backup-artifact-id': '',
      'backup-artifact-name': ''
    })
    expect(backupSummaryLine(withArtifact)).toMatch(
      new RegExp(`; uploaded as the workflow artifact ${recorded.name} \\(id ${recorded.id}\\)\\.$`)
    )
  })

  it('fails, saying where the dump still is, when the service refuses the upload', async () => {
    const record = runnerCopy()
    service.refuse('FinalizeArtifact')
    try {
      const { error } = await inJob(service.env, () => uploadBackupArtifact(host, record))
      expect(String(error)).toBe(
        `Error: backup-artifact failed: uploading ${record.runnerCopy.split('/').pop()} as a workflow artifact: Failed to FinalizeArtifact: Received non-retryable error: Failed request: (403) Forbidden: the stand-in was told to refuse uploads; the dump is still on the server (${record.file}) and on the runner (${record.runnerCopy}); nothing was migrated`
      )
    } finally {
      service.refuse()
    }
  })

  it('refuses an upload whose bytes are not the dump the server checksummed', async () => {
    const record = { ...runnerCopy(), sha256: '0'.repeat(64) }
    const { error } = await inJob(service.env, () => uploadBackupArtifact(host, record))
    expect(String(error)).toMatch(
      /backup-artifact failed: .*: the upload has sha256 [0-9a-f]{64}, not 0{64} as the dump on the server; the dump is still on the server .*; nothing was migrated$/
    )
  })

  it('says, outside a GitHub Actions job, that the artifact service cannot be reached', async () => {
    const record = runnerCopy()
    const { error } = await inJob({}, () => uploadBackupArtifact(host, record))
    expect(String(error)).toMatch(
      /^Error: backup-artifact failed: uploading \S+ as a workflow artifact: ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set: workflow artifacts can be uploaded only from a GitHub Actions job; the dump is still on the server/
    )
  })
})
