import { pruneImages } from '../containers.js'
import { pruneReleases } from '../upload-source.js'
import { Chosen, HostDeploy, liveReleaseId } from './context.js'
import { logNow } from './read-log.js'
import type { ReleaseRecord } from '../release-log.js'

/** The directory under releases/ a release runs from: a rollback's is the release it went back to. */
const releaseDirName = (r: ReleaseRecord) => r.releaseDir?.split('/').pop() || r.id

/**
 * Removes the image tags and uploaded releases beyond keep-releases, never the
 * live one nor the one that ran before this deploy: that is the way back if a
 * later step (or the fleet) fails.
 */
export async function prune(d: HostDeploy, chosen: Chosen): Promise<void> {
  const { host, s } = d
  const kept = (await logNow(d))
    .filter(r => r.status === 'succeeded')
    .slice(-s.keepReleases)
    .map(r => r.id)
  // A release still to be verified by the caller is live, and not yet recorded succeeded.
  kept.push(liveReleaseId(d, chosen))
  await pruneImages(host, s.app.projectName, kept)
  if (s.source === 'upload')
    await pruneReleases(host, s.app.appDir, s.keepReleases, [
      liveReleaseId(d, chosen),
      ...(chosen.live ? [releaseDirName(chosen.live)] : [])
    ])
}
