import { parseReleaseLog, ReleaseRecord } from '../release-log.js'
import { fileCommands } from '../../commands/files.js'
import type { HostDeploy } from './context.js'

/** The release log of the host, as it is now. Changes nothing, so nothing to undo. */
export async function readLog(d: HostDeploy): Promise<ReleaseRecord[]> {
  return parseReleaseLog(
    (await d.host.check(fileCommands.read(d.paths.log), { quiet: true })).stdout
  )
}
