import { posix } from 'node:path'
import { errorMessage } from '../../core/errors.js'
import { ancestryCommand, gitCommands } from '../../commands/git.js'
import { uploadCommands } from '../../commands/upload.js'
import { checkoutCommit, fetchCommit, prepareClone } from '../git-source.js'
import { parseAncestry, runnerAncestry } from '../release-order.js'
import { uploadRelease } from '../upload-source.js'
import { checkOrder, releaseToCompare } from './check-order.js'
import type { Chosen, HostDeploy } from './context.js'

/**
 * Puts the release's files on the server where the live app does not see
 * them yet, or (source: git) checks them out in the app directory; returns
 * the directory the pre-deploy hook runs in.
 */
export async function stageSource(d: HostDeploy, chosen: Chosen): Promise<string> {
  const compare = releaseToCompare(d.s, chosen)
  if (d.s.source === 'git') return stageGit(d, compare)
  if (d.s.source === 'upload') {
    if (compare) {
      await checkOrder(
        d.host,
        d.s,
        compare,
        `the runner's checkout (${d.s.uploadPath})`,
        async sha => runnerAncestry(d.s.uploadPath, d.s.ref, sha)
      )
    }
    return stageUpload(d, chosen)
  }
  d.journal.onFailure(nothingChanged())
  return d.s.app.appDir
}

async function stageGit(d: HostDeploy, compare: Chosen['live']): Promise<string> {
  const { host, s, journal } = d
  const appDir = s.app.appDir
  const report = journal.report!
  const clone = await prepareClone(host, appDir, s.repository)
  const sha = await fetchCommit(host, appDir, report.ref, clone.credentials)
  report.ref = sha
  if (compare) {
    await checkOrder(host, s, compare, `the clone in ${appDir}`, async live =>
      parseAncestry((await host.check(ancestryCommand(appDir, sha, live), { quiet: true })).stdout)
    )
  }
  await journal.change(
    `checking out ${sha.slice(0, 12)} in ${appDir}`,
    () => checkoutCommit(host, appDir, sha, d.plan.releaseId),
    { app: true, undo: nothingChanged(d, clone.head) }
  )
  return appDir
}

async function stageUpload(d: HostDeploy, { target }: Chosen): Promise<string> {
  const { host, paths, plan } = d
  if (target) {
    const dir = posix.join(paths.releases, target.id)
    if ((await host.run(uploadCommands.exists(dir), { quiet: true })).code !== 0) {
      throw new Error(
        `release ${target.id} is no longer on the server (only the last keep-releases are kept)`
      )
    }
    d.journal.onFailure(nothingChanged())
    return dir
  }
  // The upload goes beside the live release, which does not see it: a failure before the switch changed nothing.
  return d.journal.change(
    `uploading release ${plan.releaseId} to ${paths.releases}`,
    () => uploadRelease(host, d.s.app.appDir, plan.releaseId, plan.archive as string),
    { undo: nothingChanged() }
  )
}

/**
 * The undo of staging, for a failure before the release is recorded as
 * started (the pre-deploy hook): the clone goes back to the commit it had,
 * so the app has not changed.
 */
function nothingChanged(d?: HostDeploy, head?: string) {
  return async (err: unknown): Promise<Error> => {
    if (d && head) await d.host.run(gitCommands.checkout(d.s.app.appDir, head), { quiet: true })
    return new Error(
      `${errorMessage(err)}; nothing was changed${head ? ` (the clone is back at ${head.slice(0, 12)})` : ''}`
    )
  }
}
