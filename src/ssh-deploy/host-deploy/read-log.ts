import * as core from '@actions/core'
import { readReleaseLog, ReleaseRecord, skippedText } from '../release-log.js'
import { fileCommands } from '../../commands/files.js'
import type { HostDeploy } from './context.js'

/** The deploys already told what their host's log had to skip: a deploy reads it more than once. */
const warned = new WeakSet<HostDeploy>()

/**
 * The release log of the host, as it is now, without what a killed run or a
 * hand edit left unreadable (said once per deploy). Changes nothing, so
 * nothing to undo.
 */
export async function readLog(d: HostDeploy): Promise<ReleaseRecord[]> {
  const log = readReleaseLog(
    (await d.host.check(fileCommands.read(d.paths.log), { quiet: true })).stdout
  )
  const skipped = skippedText(log)
  if (skipped && !warned.has(d)) {
    warned.add(d)
    core.warning(`${d.host.label}: the release log ${d.paths.log}: ${skipped}`)
  }
  return log.records
}
