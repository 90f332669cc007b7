import { isObject } from '../core/json-object.js'
/**
 * The release log on each server: `<app-dir>/.deploy-kit/releases.jsonl`, one
 * JSON object per line, appended and never rewritten. A later line with the
 * same id updates that release (started → succeeded / failed / cancelled /
 * rolled-back).
 * A release the root action deploys gets `readyAt` once its containers are
 * ready and `succeeded` only after its smoke check passed: one whose check
 * failed or never ran stays `started` or `failed`, never `previous`.
 */

export type ReleaseStatus = 'started' | 'succeeded' | 'failed' | 'cancelled' | 'rolled-back'
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
  /**
   * Ready, but still to be verified by the run that deployed it (the root
   * action's smoke check): it stays `started` until that run records it.
   */
  readyAt?: string
  /** Directory the release ran from (app-dir, or releases/<id> for uploads). */
  releaseDir?: string
  images?: Record<string, ServiceImage>
  /** Set when this release re-deployed an older one. */
  rollbackOf?: string
  error?: string
  /** The dump taken before this release's migration, as migrate recorded it. */
  backup?: ReleaseBackup
  /** The dump taken before this release's migration was reverted (a rollback's down-migration). */
  downBackup?: ReleaseBackup
}

/** A dump as the release log keeps it: enough to find it, check it and trust it. */
export interface ReleaseBackup {
  /** Its path on the migrate host. */
  file: string
  /** The host that holds it (its label). */
  host: string
  /** When the dump started: writes after it are not in it. */
  takenAt: string
  verify: 'restore' | 'integrity' | 'none'
  sizeBytes: number
  sha256: string
  /** Tables the restore proof compared; 0 without the proof. */
  tables: number
  /** How long the restore proof took; 0 without it. */
  proofSeconds: number
  /** Where the runner kept its copy, checksum compared; absent without one. */
  runnerCopy?: string
  /** The workflow artifact that holds the runner's copy; absent without one. */
  artifact?: { id: number; name: string }
}

const STATUSES: readonly string[] = ['started', 'succeeded', 'failed', 'cancelled', 'rolled-back']
const SOURCES: readonly string[] = ['git', 'upload', 'none']
const TEXT_FIELDS = [
  'ref',
  'actor',
  'runUrl',
  'startedAt',
  'finishedAt',
  'readyAt',
  'releaseDir',
  'rollbackOf',
  'error'
] as const

/** The log as read: its records, and the lines and records it had to skip. */
export interface ReleaseLog {
  records: ReleaseRecord[]
  /** Lines that are no record (torn by a killed run, or changed by hand), by line number. */
  unreadableLines: number[]
  /** Releases whose lines lack a ref or a status (their first line was lost). */
  incompleteReleases: string[]
}

/** One line's fields, when each one that is there has its type; anything else is no entry. */
function asEntry(v: unknown): (Partial<ReleaseRecord> & { id: string }) | undefined {
  if (!isObject(v) || typeof v.id !== 'string' || !v.id) return undefined
  if (v.status !== undefined && !STATUSES.includes(v.status as string)) return undefined
  if (v.source !== undefined && !SOURCES.includes(v.source as string)) return undefined
  if (TEXT_FIELDS.some(f => v[f] !== undefined && typeof v[f] !== 'string')) return undefined
  if (v.images !== undefined) {
    if (!isObject(v.images)) return undefined
    const images = Object.values(v.images)
    if (!images.every(i => isObject(i) && typeof i.image === 'string' && typeof i.id === 'string'))
      return undefined
  }
  if (!isBackupOrAbsent(v.backup) || !isBackupOrAbsent(v.downBackup)) return undefined
  return v as Partial<ReleaseRecord> & { id: string }
}

const VERIFY: readonly string[] = ['restore', 'integrity', 'none']

function isBackupOrAbsent(v: unknown): boolean {
  if (v === undefined) return true
  if (!isObject(v)) return false
  const texts = ['file', 'host', 'takenAt', 'sha256'].every(f => typeof v[f] === 'string')
  const numbers = ['sizeBytes', 'tables', 'proofSeconds'].every(f => typeof v[f] === 'number')
  const copy = v.runnerCopy === undefined || typeof v.runnerCopy === 'string'
  const artifact =
    v.artifact === undefined ||
    (isObject(v.artifact) &&
      typeof v.artifact.id === 'number' &&
      typeof v.artifact.name === 'string')
  return texts && numbers && copy && artifact && VERIFY.includes(v.verify as string)
}

function parseEntry(text: string): (Partial<ReleaseRecord> & { id: string }) | undefined {
  try {
    return asEntry(JSON.parse(text))
  } catch {
    return undefined
  }
}

/** How every record the deploys append begins (JSON.stringify, id first). */
const RECORD_START = '{"id":'

/**
 * The entry a line holds. A line torn by a killed run that an older append
 * glued the next record onto still holds that record: it is the line's
 * longest tail that begins as a record does and is a whole entry.
 */
function entryOf(line: string): { entry?: Partial<ReleaseRecord> & { id: string }; torn: boolean } {
  const whole = parseEntry(line)
  if (whole) return { entry: whole, torn: false }
  for (let at = line.indexOf(RECORD_START, 1); at > 0; at = line.indexOf(RECORD_START, at + 1)) {
    const entry = parseEntry(line.slice(at))
    if (entry) return { entry, torn: true }
  }
  return { torn: true }
}

/**
 * Reads the log without throwing on what a crash or a hand edit left in it:
 * a line that is no well-typed entry is skipped, the records around it are kept.
 */
export function readReleaseLog(text: string): ReleaseLog {
  const byId = new Map<string, Partial<ReleaseRecord>>()
  const unreadableLines: number[] = []
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return
    const { entry, torn } = entryOf(line)
    if (torn) unreadableLines.push(i + 1)
    if (!entry) return
    byId.set(entry.id, { ...(byId.get(entry.id) ?? {}), ...entry })
  })
  const records: ReleaseRecord[] = []
  const incompleteReleases: string[] = []
  for (const [id, r] of byId) {
    if (typeof r.ref === 'string' && r.status) records.push(r as ReleaseRecord)
    else incompleteReleases.push(id)
  }
  return { records, unreadableLines, incompleteReleases }
}

export function parseReleaseLog(text: string): ReleaseRecord[] {
  return readReleaseLog(text).records
}

/** What the log had to skip, for a warning; undefined when it skipped nothing. */
export function skippedText(log: ReleaseLog): string | undefined {
  const parts = [
    log.unreadableLines.length
      ? `${plural(log.unreadableLines.length, 'unreadable line')} (${log.unreadableLines
          .slice(0, 5)
          .map(n => `line ${n}`)
          .join(
            ', '
          )}${log.unreadableLines.length > 5 ? ', …' : ''}: cut short by a killed run, or changed by hand)`
      : '',
    log.incompleteReleases.length
      ? `${plural(log.incompleteReleases.length, 'release')} whose first record is missing`
      : ''
  ].filter(Boolean)
  return parts.length ? `skipped ${parts.join(' and ')}` : undefined
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

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
