// How the new release's containers replace the old ones: all at once
// (recreate), one service after the other (one-by-one), or each beside its
// predecessor behind a proxy (rolling.ts).
import { composeCommands } from '../commands/compose.js'
import type { ComposeProject } from '../commands/compose.js'
import { RemoteError } from '../core/errors.js'
import { failureText } from '../core/fleet.js'
import type { HostContext } from '../core/fleet.js'
import type { RemoteCommand } from '../core/remote-command.js'
import { waitUntilReady } from './containers.js'
import { inTurn } from './in-turn.js'
import { RollingPlan, rollServices } from './rolling.js'
import { DeploySettings } from './settings.js'

export interface UpdateOptions {
  /** From planRolling, which deployHost runs before anything changes. */
  rollingPlan?: RollingPlan
  /** Runs once the images are ready and before any container changes (a migration). */
  beforeStart?: () => Promise<void>
  /** With one-by-one and rolling: runs before each service changes. */
  beforeEach?: (service: string) => Promise<void>
  /** With recreate: called right before `up`, from where containers change. */
  beforeUp?: () => void
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
  if (!imagesRestored && s.pull) await host.check(composeCommands.pull(project, s.services))
  if (!imagesRestored && s.build) await host.check(composeCommands.build(project, s.services))
  // What a migration or the first of the ordered services needs (the database, on a first
  // deploy) must run; a container that runs is not recreated.
  if (opts.beforeStart || s.strategy === 'one-by-one')
    await host.check(composeCommands.startMissing(project))
  await opts.beforeStart?.()
  if (s.strategy === 'rolling')
    return rollServices(host, project, s, opts.rollingPlan, opts.beforeEach)
  if (s.strategy === 'one-by-one') return updateOneByOne(host, project, s, opts.beforeEach)
  opts.beforeUp?.()
  await upOnceMoreOnNameConflict(host, composeCommands.up(project, s.services))
}

/** What the engine answers when `up` creates a container whose name another one still holds. */
export const NAME_CONFLICT = /Conflict\. The container name "[^"]*" is already in use/

/**
 * Runs `up`, and once more when the engine refused it for a name in use: an
 * `up` cut off mid-recreate (its session lost, its run killed) leaves the old
 * container renamed `<id>_<name>` and the engine may still finish creating the
 * new one after its client is gone, so the next `up` finds the name taken.
 * The second `up` sees both containers and converges. Any other failure, or a
 * second conflict, fails as before.
 */
export async function upOnceMoreOnNameConflict(
  host: HostContext,
  up: RemoteCommand
): Promise<void> {
  const first = await host.run(up)
  if (first.code === 0) return
  if (!NAME_CONFLICT.test(first.stderr)) throw new RemoteError(host.label, failureText(up, first))
  host.info(
    'Compose found a container name still in use (left by an up that was cut off); running up once more'
  )
  await host.check(up)
}

/**
 * Each service in the order given: `up -d --no-deps`, then wait until it is
 * ready before the next one changes.
 */
async function updateOneByOne(
  host: HostContext,
  project: ComposeProject,
  s: DeploySettings,
  beforeEach?: (service: string) => Promise<void>
): Promise<void> {
  await inTurn(
    s.services,
    name => name,
    { doing: 'updating', done: 'updated' },
    async service => {
      await upOnceMoreOnNameConflict(host, composeCommands.upAlone(project, service))
      if (s.wait)
        await waitUntilReady(
          host,
          project,
          [service],
          s.waitTimeoutMs,
          s.waitIgnore,
          s.waitStableMs
        )
    },
    beforeEach
  )
}
