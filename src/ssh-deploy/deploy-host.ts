import * as core from '@actions/core'
import { detectCompose } from '../server/compose.js'
import { errorMessage } from '../core/errors.js'
import type { HostContext } from '../core/fleet.js'
import { runHostDeploy } from './host-deploy/flow.js'
import { Journal } from './host-deploy/journal.js'
import { lockLostFailure } from './host-deploy/lock-lost.js'
import type { DeployPlan, HostReport } from './host-deploy/report.js'
import { DeployLock, LockLost } from './lock.js'
import { DeploySettings } from './settings.js'
import { statePaths } from '../commands/state-paths.js'

export { DeployFailure } from './host-deploy/report.js'
export type { DeployPlan, HostReport } from './host-deploy/report.js'

/**
 * Deploys (or rolls back) one host. Takes the lock, stages the source, then
 * changes the app. `compose` is the Compose the check before found, if it ran;
 * `dockerConfig` the directory of this deploy's registry login, if it has one.
 */
export async function deployHost(
  host: HostContext,
  s: DeploySettings,
  plan: DeployPlan,
  compose?: readonly string[],
  dockerConfig?: string
): Promise<HostReport> {
  const { appDir } = s.app
  const binary = compose ?? (await detectCompose(host, s.app.composeChoice))
  host.info(`Compose: ${binary.join(' ')}`)
  const lock = s.lock
    ? await DeployLock.acquire(
        host,
        appDir,
        {
          token: plan.lockToken,
          runKey: s.run.runKey,
          runUrl: s.run.runUrl,
          attempt: s.run.attempt,
          release: plan.releaseId,
          since: new Date().toISOString()
        },
        s.lockTimeoutMs
      )
    : undefined
  if (lock) plan.onLocked?.(lock.token, host.label)
  const journal = new Journal(async next => lock?.ensureHeld(next))
  try {
    return await runHostDeploy({
      host,
      s,
      plan,
      binary,
      paths: statePaths(appDir),
      journal,
      dockerConfig
    })
  } catch (err) {
    if (err instanceof LockLost) throw lockLostFailure(err, plan.releaseId, journal)
    throw err
  } finally {
    if (plan.keepLock) lock?.handOver()
    else
      await lock
        ?.release()
        .catch(err =>
          core.warning(`${host.label}: could not release the deploy lock: ${errorMessage(err)}`)
        )
  }
}
