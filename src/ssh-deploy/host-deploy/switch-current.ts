import { uploadCommands } from '../../commands/upload.js'
import { Chosen, HostDeploy, liveReleaseId } from './context.js'

/**
 * Points `current` at the uploaded release (source: upload). No undo of its
 * own: the started record's undo records the failure.
 */
export async function switchCurrent(d: HostDeploy, chosen: Chosen): Promise<void> {
  if (d.s.source !== 'upload') return
  const id = liveReleaseId(d, chosen)
  await d.journal.change(
    `switching ${d.paths.current} to release ${id}`,
    async () => void (await d.host.check(uploadCommands.switchCurrent(d.s.app.appDir, id))),
    { app: true }
  )
}
