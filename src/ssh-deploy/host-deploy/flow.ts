import type { HostDeploy } from './context.js'
import { chooseAndReport } from './choose-target.js'
import { planRollingFirst } from './plan-rolling.js'
import { postDeploy } from './post-deploy.js'
import { preDeploy } from './pre-deploy.js'
import { prepareEnv } from './prepare-env.js'
import { prune } from './prune.js'
import { readLog } from './read-log.js'
import { recordStarted } from './record-started.js'
import { recordSucceeded } from './record-succeeded.js'
import type { HostReport } from './report.js'
import { stageSource } from './stage-source.js'
import { switchCurrent } from './switch-current.js'
import { updateContainers } from './update-containers.js'
import { waitReady } from './wait-ready.js'
import { writeEnv } from './write-env.js'
import { runSwarmDeploy } from '../swarm/flow.js'

/**
 * The deploy (or rollback) of one host, once its lock is held. What can fail
 * without changing the app comes first; each step that changes the server
 * leaves its undo with the journal, which puts things back on a failure.
 */
export async function runHostDeploy(d: HostDeploy): Promise<HostReport> {
  if (d.s.target === 'swarm') return runSwarmDeploy(d)
  try {
    const chosen = chooseAndReport(d, await readLog(d))
    const env = await prepareEnv(d, chosen)
    const rollingPlan = await planRollingFirst(d)
    const releaseDir = await stageSource(d, chosen)
    await preDeploy(d, releaseDir)
    await recordStarted(d, chosen)
    await writeEnv(d, env, chosen)
    await switchCurrent(d, chosen)
    await updateContainers(d, chosen, rollingPlan)
    const containers = await waitReady(d)
    await postDeploy(d)
    await recordSucceeded(d, chosen, containers)
    await prune(d, chosen)
    return d.journal.report!
  } catch (err) {
    throw await d.journal.fail(err)
  }
}
