import { createHash } from 'node:crypto'
import { createReadStream, mkdirSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import type { HostContext } from '../core/fleet.js'
import type { BackupRecord } from './restore-proof.js'

/** Where the runner keeps its copies: the job's own temporary directory, emptied after the job. */
export function runnerBackupDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.RUNNER_TEMP || tmpdir(), 'deploykit-backups')
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * Brings the dump back to the runner over the host's SSH connection (SFTP),
 * and keeps it only when its sha256 is the one the server computed.
 */
export async function copyToRunner(
  host: HostContext,
  record: BackupRecord,
  dir = runnerBackupDir()
): Promise<string> {
  const download = host.transport.download?.bind(host.transport)
  if (!download) throw new Error(`${host.label}: this connection cannot copy files back`)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const target = join(dir, basename(record.file))
  const part = `${target}.part`
  try {
    await download(record.file, part)
    const got = await sha256OfFile(part)
    if (got !== record.sha256)
      throw new Error(
        `the copy of ${record.file} on the runner has sha256 ${got}, not ${record.sha256} as on the server`
      )
    renameSync(part, target)
  } catch (err) {
    rmSync(part, { force: true })
    throw new Error(
      `backup-copy-to: runner failed: ${err instanceof Error ? err.message : String(err)}; nothing was migrated`
    )
  }
  host.info(`Backup copied to the runner, sha256 compared: ${target}`)
  return target
}
