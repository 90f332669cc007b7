import { basename, dirname } from 'node:path'
import type { HostContext } from '../core/fleet.js'
import { errorMessage } from '../core/errors.js'
import type { BackupRecord } from './restore-proof.js'
import { artifactServiceMissing } from './settings.js'

/** The part of @actions/artifact's client an upload uses. */
export interface ArtifactUploader {
  uploadArtifact(
    name: string,
    files: string[],
    rootDirectory: string,
    options?: { skipArchive?: boolean; retentionDays?: number }
  ): Promise<{ id?: number; size?: number; digest?: string }>
}

export interface UploadedArtifact {
  id: number
  /** The dump's own file name: with skipArchive the client names the artifact after its one file. */
  name: string
}

/**
 * GitHub's client, loaded only by a run that uploads: it is most of the
 * bundle (the blob storage's client), which every other run need not parse.
 */
async function defaultClient(): Promise<ArtifactUploader> {
  const { DefaultArtifactClient } = await import('@actions/artifact')
  return new DefaultArtifactClient()
}

/**
 * Uploads the runner's copy of the dump, as it is (no zip), as a workflow
 * artifact, and keeps it only when the client hashed the same bytes as the
 * server. Throws before the migration, as a failed runner copy does.
 */
export async function uploadBackupArtifact(
  host: HostContext,
  record: BackupRecord,
  retentionDays = 0,
  client?: ArtifactUploader
): Promise<UploadedArtifact> {
  const name = basename(record.runnerCopy)
  try {
    const missing = artifactServiceMissing()
    if (missing) throw new Error(missing)
    const uploader = client ?? (await defaultClient())
    const uploaded = await uploader.uploadArtifact(
      name,
      [record.runnerCopy],
      dirname(record.runnerCopy),
      { skipArchive: true, retentionDays: retentionDays || undefined }
    )
    if (uploaded.id === undefined) throw new Error('the artifact service answered no artifact id')
    if (uploaded.digest !== undefined && uploaded.digest !== record.sha256)
      throw new Error(
        `the upload has sha256 ${uploaded.digest}, not ${record.sha256} as the dump on the server`
      )
    host.info(`Backup uploaded as workflow artifact ${name} (id ${uploaded.id}), sha256 compared`)
    return { id: uploaded.id, name }
  } catch (err) {
    // The blob storage's own errors (@azure/storage-blob's RestError) carry the HTTP status apart.
    const status = (err as { statusCode?: unknown }).statusCode
    const why = `${typeof status === 'number' ? `the storage answered HTTP ${status}: ` : ''}${errorMessage(err)}`
    throw new Error(
      `backup-artifact failed: uploading ${name} as a workflow artifact: ${why}; the dump is still on the server (${record.file}) and on the runner (${record.runnerCopy}); nothing was migrated`
    )
  }
}
