// How the new release's containers replace the old ones: all at once
// (recreate), one service after the other (one-by-one), or each beside its
// predecessor behind a proxy (rolling.ts).
import { composeCommand, ComposeProject } from '../core/compose.js'
import { errorMessage } from '../core/errors.js'
import type { HostContext } from '../core/fleet.js'
import { waitUntilReady } from './containers.js'
import { RollingPlan, rollServices } from './rolling.js'
import { DeploySettings } from './settings.js'

export interface UpdateOptions {
  /** From planRolling, which deployHost runs before anything changes. */
  rollingPlan?: RollingPlan
  /** Runs once the images are ready and before any container changes (a migration). */
  beforeStart?: () => Promise<void>
}

/**
 * Brings the release's services up the way `strategy` says. Images come
 * first: a failed pull or build changes no container, and `beforeStart`
 * already sees the new images.
 */
export async function updateServices(
  host: HostContext,
  project: ComposeProject,
  s: DeploySettings,
  imagesRestored: boolean,
  opts: UpdateOptions = {}
): Promise<void> {
  if (!imagesRestored && s.pull) await host.check(composeCommand(project, ['pull', ...s.services]))
  if (!imagesRestored && s.build)
    await host.check(composeCommand(project, ['build', ...s.services]))
  if (opts.beforeStart) {
    // What the step needs (the database, on a first deploy) must run; what runs stays as it is.
    await startMissing(host, project)
    await opts.beforeStart()
  }
  if (s.strategy === 'rolling') return rollServices(host, project, s, opts.rollingPlan)
  if (s.strategy === 'one-by-one') return updateOneByOne(host, project, s, !opts.beforeStart)
  await host.check(composeCommand(project, ['up', '-d', ...s.services]))
}

/**
 * Each service in the order given: `up -d --no-deps`, then wait until it is
 * ready before the next one changes. What is not running yet (the database,
 * on a first deploy) is started first, without recreating anything that runs.
 */
async function updateOneByOne(
  host: HostContext,
  project: ComposeProject,
  s: DeploySettings,
  startMissingFirst: boolean
): Promise<void> {
  if (startMissingFirst) await startMissing(host, project)
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

/** Starts the services that do not run yet; a container that runs is not recreated. */
async function startMissing(host: HostContext, project: ComposeProject): Promise<void> {
  await host.check(composeCommand(project, ['up', '-d', '--no-recreate']))
}
