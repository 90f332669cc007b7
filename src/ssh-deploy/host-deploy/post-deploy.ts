import { composeProject, HostDeploy } from './context.js'
import { runHook } from './run-hook.js'

/** The post-deploy hook, in the live release. No undo of its own: the started record's undo records the failure. */
export async function postDeploy(d: HostDeploy): Promise<void> {
  await runHook(d, 'post-deploy', composeProject(d).dir, d.s.postDeploy)
}
