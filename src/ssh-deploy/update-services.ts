// How the new release's containers replace the old ones: all at once
// (recreate), one service after the other (one-by-one), or each beside its
// predecessor behind a proxy (rolling.ts).
import { composeCommand, ComposeProject } from '../core/compose.js'
import { errorMessage } from '../core/errors.js'
import type { HostContext } from '../core/fleet.js'
import { waitUntilReady } from './containers.js'
import { RollingPlan, rollServices } from './rolling.js'
import { DeploySettings } from './settings.js'

/** Brings the release's services up the way `strategy` says. */
export async function updateServices(
  host: HostContext,
  project: ComposeProject,
  s: DeploySettings,
  imagesRestored: boolean,
  rollingPlan?: RollingPlan
): Promise<void> {
  if (s.strategy === 'rolling') return rollServices(host, project, s, imagesRestored, rollingPlan)
  if (s.pull && !imagesRestored) await host.check(composeCommand(project, ['pull', ...s.services]))
  if (s.strategy === 'one-by-one') return updateOneByOne(host, project, s, imagesRestored)
  const build = s.build && !imagesRestored ? ['--build'] : []
  await host.check(composeCommand(project, ['up', '-d', ...build, ...s.services]))
}

/**
 * Each service in the order given: `up -d --no-deps`, then wait until it is
 * ready before the next one changes. Images are built first, so a failed
 * build changes no service; what is not running yet (the database, on a
 * first deploy) is started next, without recreating anything that runs.
 */
async function updateOneByOne(
  host: HostContext,
  project: ComposeProject,
  s: DeploySettings,
  imagesRestored: boolean
): Promise<void> {
  if (s.build && !imagesRestored)
    await host.check(composeCommand(project, ['build', ...s.services]))
  await host.check(composeCommand(project, ['up', '-d', '--no-recreate']))
  const done: string[] = []
  for (const service of s.services) {
    try {
      await host.check(composeCommand(project, ['up', '-d', '--no-deps', service]))
      if (s.wait) await waitUntilReady(host, project, [service], s.waitTimeoutMs, s.waitIgnore)
    } catch (err) {
      const before = done.length ? ` (already updated: ${done.join(', ')})` : ''
      throw new Error(`updating ${service}: ${errorMessage(err)}${before}`)
    }
    done.push(service)
  }
}
