import { errorMessage } from '../../core/errors.js'
import { planRolling, RollingPlan } from '../rolling.js'
import type { HostDeploy } from './context.js'

/** With strategy: rolling, what each service is replaced by, refused before anything changes. Nothing to undo. */
export async function planRollingFirst(d: HostDeploy): Promise<RollingPlan | undefined> {
  if (d.s.strategy !== 'rolling') return undefined
  return planRolling(d.host, d.s.app.projectName, d.s).catch((err: unknown) => {
    throw new Error(`${errorMessage(err)} — nothing was changed`)
  })
}
