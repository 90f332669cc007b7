import * as core from '@actions/core'
import { readReleaseLog, ReleaseRecord, skippedText } from '../release-log.js'
import { fileCommands } from '../../commands/files.js'
import type { HostDeploy } from './context.js'

/**
 * The host's release log as this deploy knows it: the text it read under the
 * lock, and each line it appended since. Nothing else writes the log while
 * the lock is held.
 */
const known = new WeakMap<HostDeploy, string>()

/**
 * The release log of the host, as it is now, without what a killed run or a
 * hand edit left unreadable (said once per deploy). Changes nothing, so
 * nothing to undo.
 */
export async function readLog(d: HostDeploy): Promise<ReleaseRecord[]> {
  const text = (await d.host.check(fileCommands.read(d.paths.log), { quiet: true })).stdout
  const firstRead = !known.has(d)
  known.set(d, text)
  const log = readReleaseLog(text)
  const skipped = skippedText(log)
  if (skipped && firstRead)
    core.warning(`${d.host.label}: the release log ${d.paths.log}: ${skipped}`)
  return log.records
}

/** A line this deploy appended to the log (release-record.ts). */
export function appendedToLog(d: HostDeploy, line: string): void {
  const text = known.get(d)
  if (text === undefined) return
  // As on the server: an appended record starts on a line of its own.
  known.set(d, (text && !text.endsWith('\n') ? text + '\n' : text) + line)
}

/**
 * The log as read at the start of this deploy with what it appended since,
 * without reading it again; read from the host when this deploy did not read it.
 */
export async function logNow(d: HostDeploy): Promise<ReleaseRecord[]> {
  const text = known.get(d)
  return text === undefined ? readLog(d) : readReleaseLog(text).records
}
