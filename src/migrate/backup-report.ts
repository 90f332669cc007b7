import type { BackupRecord } from './restore-proof.js'

/** migrate's outputs about the dump: empty strings without a backup. */
export function backupOutputs(r: BackupRecord | undefined): Record<string, string> {
  return {
    'backup-sha256': r?.sha256 ?? '',
    'backup-size': r ? String(r.sizeBytes) : '',
    'backup-tables': r && r.verify === 'restore' ? String(r.tables) : '',
    'backup-proof-seconds': r && r.verify === 'restore' ? r.proofSeconds.toFixed(1) : '',
    'backup-runner-file': r?.runnerCopy ?? '',
    'backup-artifact-id': r?.artifact ? String(r.artifact.id) : '',
    'backup-artifact-name': r?.artifact?.name ?? ''
  }
}

/** One sentence for the summary: what was proven of the dump, and where its copies are. */
export function backupSummaryLine(r: BackupRecord): string {
  const how =
    r.verify === 'restore'
      ? `proven by a restore into a scratch database: ${r.tables} tables, the same row counts as the source in the dump's snapshot, in ${r.proofSeconds.toFixed(1)} s`
      : r.verify === 'integrity'
        ? 'checked for integrity (gzip, not empty, pg_dump trailer), not restored'
        : 'not verified (backup-verify: none)'
  const copy = r.runnerCopy ? `; copied to the runner (${r.runnerCopy}), sha256 compared` : ''
  const artifact = r.artifact
    ? `; uploaded as the workflow artifact ${r.artifact.name} (id ${r.artifact.id})`
    : ''
  return `Backup ${r.file}: ${r.sizeBytes} bytes, sha256 ${r.sha256}; ${how}${copy}${artifact}.`
}
