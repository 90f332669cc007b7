import { describeEnvValues } from '../env-values.js'
import { fileCommands } from '../../commands/files.js'
import type { Chosen, HostDeploy } from './context.js'
import type { EnvPlan } from './prepare-env.js'

/**
 * Writes the env file (the old one kept as .bak, a copy kept for this
 * release). No undo of its own: the started record's undo records the failure.
 */
export async function writeEnv(
  d: HostDeploy,
  env: EnvPlan | undefined,
  { target }: Chosen
): Promise<void> {
  if (!env) return
  const { host, s } = d
  await d.journal.change(
    `writing ${env.path}`,
    async () => {
      await host.check(
        fileCommands.writePrivate(env.path, d.paths.envSnapshot(d.plan.releaseId), env.text),
        { quiet: true }
      )
      const given = describeEnvValues(s)
      host.info(
        `Env file ${env.path} ${env.restored ? `restored from release ${target?.id}` : `written${given ? ` (${given})` : ''}`}; the old one is ${env.path}.bak`
      )
      for (const pin of target ? [] : s.images) host.info(`Pinned ${pin.variable}=${pin.ref}`)
    },
    { app: true }
  )
}
