import { spawnSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'

/** Where a tool run over SSH might leave a file: temp dirs, homes, runtime state, Docker's and PostgreSQL's data. */
export const SERVER_FILE_ROOTS = [
  '/tmp',
  '/var/tmp',
  '/root',
  '/home',
  '/run',
  '/etc',
  '/var/lib/docker/containers',
  '/var/lib/postgresql'
]

export interface FileHit {
  path: string
  /** Permission bits, e.g. 0o600. */
  mode: number
}

/**
 * Regular files under `roots` changed after `since` (a file whose mtime marks
 * the start) that hold any of `needles`. find picks the candidates, so no
 * needle is ever on a command line; files over 64 MB are not read.
 */
export function filesHolding(
  needles: readonly string[],
  since: string,
  roots = SERVER_FILE_ROOTS
): FileHit[] {
  // find exits non-zero for a root that is missing or a file that vanishes meanwhile; what it listed counts.
  const listed = spawnSync(
    'find',
    [...roots, '-xdev', '-type', 'f', '-newer', since, '-size', '-64M', '-print0'],
    { maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] }
  ).stdout
  const bytes = needles.map(n => Buffer.from(n, 'utf8').toString('latin1'))
  const hits: FileHit[] = []
  for (const path of listed.toString('utf8').split('\0').filter(Boolean)) {
    let text: string
    try {
      text = readFileSync(path, 'latin1')
    } catch {
      continue // gone, or a file that cannot be read (e.g. in /run)
    }
    if (bytes.some(n => text.includes(n))) hits.push({ path, mode: statSync(path).mode & 0o777 })
  }
  return hits
}
