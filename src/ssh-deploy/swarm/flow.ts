import type { HostDeploy } from '../host-deploy/context.js'
import { chooseAndReport } from '../host-deploy/choose-target.js'
import { postDeploy } from '../host-deploy/post-deploy.js'
import { preDeploy } from '../host-deploy/pre-deploy.js'
import { prepareEnv } from '../host-deploy/prepare-env.js'
import { prune } from '../host-deploy/prune.js'
import { readLog } from '../host-deploy/read-log.js'
import { recordStarted } from '../host-deploy/record-started.js'
import type { HostReport } from '../host-deploy/report.js'
import { stageSource } from '../host-deploy/stage-source.js'
import { switchCurrent } from '../host-deploy/switch-current.js'
import { writeEnv } from '../host-deploy/write-env.js'
import { deployStack } from './deploy-stack.js'
import { checkManager } from './manager.js'
import { recordSwarmSucceeded } from './record-succeeded.js'
import { waitConverged } from './wait-converged.js'

/**
 * The deploy of a stack on a swarm manager, once its lock is held: the same
 * release log, env file and source staging as a compose deploy, then the
 * resolved stack file, `docker stack deploy`, and a wait until the engine
 * converged or failed. A failed update is rolled back by the engine itself
 * (failure_action: rollback); the release is then recorded as failed.
 */
export async function runSwarmDeploy(d: HostDeploy): Promise<HostReport> {
  try {
    await checkManager(d)
    const chosen = chooseAndReport(d, await readLog(d))
    const env = await prepareEnv(d, chosen)
    const releaseDir = await stageSource(d, chosen)
    await preDeploy(d, releaseDir)
    await recordStarted(d, chosen)
    await writeEnv(d, env, chosen)
    await switchCurrent(d, chosen)
    const stack = await deployStack(d, releaseDir, chosen)
    if (d.s.wait)
      await waitConverged(d.host, {
        stack: d.s.app.projectName,
        services: stack.services,
        before: stack.before,
        tasksBefore: stack.tasksBefore,
        timeoutMs: d.s.waitTimeoutMs
      })
    else d.host.info('wait: false, so the stack was not waited for')
    await postDeploy(d)
    await recordSwarmSucceeded(d)
    await prune(d, chosen)
    return d.journal.report!
  } catch (err) {
    throw await d.journal.fail(err)
  }
}
