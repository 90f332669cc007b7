/**
 * The release log on each server: `<app-dir>/.deploy-kit/releases.jsonl`, one
 * JSON object per line, appended and never rewritten. A later line with the
 * same id updates that release (started → succeeded / failed / rolled-back).
 */

export type ReleaseStatus = 'started' | 'succeeded' | 'failed' | 'rolled-back'
export type SourceKind = 'git' | 'upload' | 'none'

export interface ServiceImage {
  /** Image reference the service runs (`Config.Image`). */
  image: string
  /** Content id (`sha256:…`), kept on the server under a release tag. */
  id: string
}

export interface ReleaseRecord {
  id: string
  ref: string
  source: SourceKind
  status: ReleaseStatus
  actor?: string
  runUrl?: string
  startedAt?: string
  finishedAt?: string
  /** Directory the release ran from (app-dir, or releases/<id> for uploads). */
  releaseDir?: string
  images?: Record<string, ServiceImage>
  /** Set when this release re-deployed an older one. */
  rollbackOf?: string
  error?: string
}

export function parseReleaseLog(text: string): ReleaseRecord[] {
  const byId = new Map<string, ReleaseRecord>()
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    let entry: Partial<ReleaseRecord>
    try {
      entry = JSON.parse(line) as Partial<ReleaseRecord>
    } catch {
      continue // a line cut short by a killed run must not hide the others
    }
    if (!entry.id) continue
    const before = byId.get(entry.id)
    byId.set(entry.id, { ...(before ?? {}), ...entry } as ReleaseRecord)
  }
  return [...byId.values()]
}

/** The release that is live now: the newest that succeeded. */
export function currentRelease(records: ReleaseRecord[]): ReleaseRecord | undefined {
  return [...records].reverse().find(r => r.status === 'succeeded')
}

/** The last release that succeeded before the one live now (`rollback-to: previous`). */
export function previousRelease(records: ReleaseRecord[]): ReleaseRecord | undefined {
  const succeeded = records.filter(r => r.status === 'succeeded')
  return succeeded.length >= 2 ? succeeded[succeeded.length - 2] : undefined
}

/**
 * `previous`, a release id, or a ref (full or abbreviated sha, tag, branch)
 * of a succeeded release. After a failed deploy the server may run the broken
 * release, so `previous` is then the last one that succeeded.
 */
export function findRollbackTarget(
  records: ReleaseRecord[],
  wanted: string
): ReleaseRecord | undefined {
  const current = currentRelease(records)
  if (wanted === 'previous') {
    const newest = records[records.length - 1]
    if (newest && newest.status !== 'succeeded' && newest.status !== 'rolled-back') return current
    const before = records.slice(0, current ? records.indexOf(current) : records.length)
    return (
      [...before].reverse().find(r => r.status === 'succeeded' && r.ref !== current?.ref) ??
      previousRelease(records)
    )
  }
  const candidates = [...records]
    .reverse()
    .filter(r => r.status === 'succeeded' || r.status === 'rolled-back')
  return (
    candidates.find(r => r.id === wanted) ??
    candidates.find(r => r.ref === wanted) ??
    (/^[0-9a-f]{7,40}$/.test(wanted) ? candidates.find(r => r.ref.startsWith(wanted)) : undefined)
  )
}

/** Release ids sort by time: `20261123T075012Z-1a2b3c4-9f0e`. */
export function newReleaseId(now: Date, ref: string, random = Math.random()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  const short = /^[0-9a-f]{7,}$/.test(ref)
    ? ref.slice(0, 7)
    : ref.replace(/[^A-Za-z0-9.]/g, '').slice(0, 12) || 'release'
  return `${stamp}-${short}-${Math.floor(random * 0x10000)
    .toString(16)
    .padStart(4, '0')}`
}

export const RELEASE_ID = /^\d{8}T\d{6}Z-[A-Za-z0-9.]+-[0-9a-f]{4}$/
