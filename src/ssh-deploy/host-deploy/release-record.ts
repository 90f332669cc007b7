import type { ReleaseRecord } from '../release-log.js'
import { fileCommands } from '../../commands/files.js'
import type { HostDeploy } from './context.js'
import { appendedToLog } from './read-log.js'

/** Appends a line to the release log: a new release, or a later state of one. */
export async function appendRecord(
  d: HostDeploy,
  record: Partial<ReleaseRecord> & { id: string }
): Promise<void> {
  const line = JSON.stringify(record) + '\n'
  await d.host.check(fileCommands.append(d.paths.log, line), { quiet: true })
  appendedToLog(d, line)
}
