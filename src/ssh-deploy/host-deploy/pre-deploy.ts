import type { HostDeploy } from './context.js'
import { runHook } from './run-hook.js'

/**
 * The pre-deploy hook, in the staged release. It changes what the user's
 * script changes; a failure puts back the staging (see stage-source).
 */
export async function preDeploy(d: HostDeploy, releaseDir: string): Promise<void> {
  await runHook(d, 'pre-deploy', releaseDir, d.s.preDeploy)
}
