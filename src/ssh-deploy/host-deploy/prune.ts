import { pruneImages } from '../containers.js'
import { pruneReleases } from '../upload-source.js'
import { Chosen, HostDeploy, liveReleaseId } from './context.js'
import { readLog } from './read-log.js'

/** Removes the image tags and uploaded releases beyond keep-releases, never the live one. */
export async function prune(d: HostDeploy, chosen: Chosen): Promise<void> {
  const { host, s } = d
  const kept = (await readLog(d))
    .filter(r => r.status === 'succeeded')
    .slice(-s.keepReleases)
    .map(r => r.id)
  // A release still to be verified by the caller is live, and not yet recorded succeeded.
  kept.push(liveReleaseId(d, chosen))
  await pruneImages(host, s.app.projectName, kept)
  if (s.source === 'upload')
    await pruneReleases(host, s.app.appDir, s.keepReleases, liveReleaseId(d, chosen))
}
