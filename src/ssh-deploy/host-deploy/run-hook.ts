import { fileCommands } from '../../commands/files.js'
import type { HostDeploy } from './context.js'

/** Runs a user's hook script in `dir`, begun as a change; an empty script runs nothing. */
export async function runHook(
  d: HostDeploy,
  name: 'pre-deploy' | 'post-deploy',
  dir: string,
  script: string
): Promise<void> {
  if (!script.trim()) return
  await d.journal.begin(`running ${name}`)
  d.host.info(`Running ${name}`)
  const result = await d.host.run(fileCommands.runScript(dir, script), { quiet: false })
  if (result.code !== 0)
    throw new Error(`${name} failed with exit code ${result.code ?? result.signal}`)
}
