import * as core from '@actions/core'
import { fileCommands } from '../commands/files.js'
import { statePaths } from '../commands/state-paths.js'
import { errorMessage } from '../core/errors.js'
import type { HostContext } from '../core/fleet.js'
import { readReleaseLog, type ReleaseBackup } from '../ssh-deploy/release-log.js'
import type { Direction } from '../commands/migrate-tool.js'
import type { BackupRecord } from './restore-proof.js'

/** The release log's form of a dump: where it is, when it was taken, what was proven of it. */
export function releaseBackup(host: string, r: BackupRecord, takenAt: Date): ReleaseBackup {
  return {
    file: r.file,
    host,
    takenAt: takenAt.toISOString(),
    verify: r.verify,
    sizeBytes: r.sizeBytes,
    sha256: r.sha256,
    tables: r.tables,
    proofSeconds: Math.round(r.proofSeconds * 10) / 10,
    ...(r.runnerCopy ? { runnerCopy: r.runnerCopy } : {}),
    ...(r.artifact ? { artifact: r.artifact } : {})
  }
}

/**
 * Writes the dump into the release log on the migrate host, under the release
 * it was taken for: `releaseId` when the root action names it, else the newest
 * release there (the one ssh-deploy just deployed). The dump taken before a
 * down-migration goes under `downBackup`, so it never hides the first one.
 * A log that cannot be written costs a warning, not the migration: the dump
 * is on the server, and in the step's outputs and summary.
 */
export async function recordBackupInReleaseLog(
  host: HostContext,
  appDir: string,
  direction: Direction,
  backup: ReleaseBackup,
  releaseId?: string
): Promise<void> {
  const log = statePaths(appDir).log
  try {
    const text = (await host.check(fileCommands.read(log), { quiet: true })).stdout
    const { records } = readReleaseLog(text)
    const release = releaseId ? records.find(r => r.id === releaseId) : records[records.length - 1]
    if (!release) {
      host.info(
        releaseId
          ? `Release ${releaseId} is not in ${log}: the backup is in this step's outputs and summary only`
          : `No release in ${log}: the backup is in this step's outputs and summary only`
      )
      return
    }
    const field = direction === 'up' ? 'backup' : 'downBackup'
    await host.check(
      fileCommands.append(log, JSON.stringify({ id: release.id, [field]: backup }) + '\n'),
      { quiet: true }
    )
    host.info(`Backup recorded in ${log} under release ${release.id}`)
  } catch (err) {
    core.warning(
      `${host.label}: the backup ${backup.file} could not be recorded in ${log} (${errorMessage(err)}); it is in this step's outputs and summary`
    )
  }
}
