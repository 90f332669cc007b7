import { COMPOSE_V1 } from '../../commands/compose.js'
import { swarmCommands } from '../../commands/swarm.js'
import type { HostDeploy } from '../host-deploy/context.js'

/**
 * Before anything changes: the host is a swarm manager, and its Compose can
 * print the resolved files as JSON (v2), which the stack file is made from.
 */
export async function checkManager(d: HostDeploy): Promise<void> {
  const { host } = d
  if (d.binary.join(' ') === COMPOSE_V1.join(' '))
    throw new Error(
      'target: swarm needs Docker Compose v2 (`docker compose`) on the manager to resolve the compose files; nothing was changed'
    )
  const state = (await host.check(swarmCommands.nodeState(), { quiet: true })).stdout.trim()
  if (state !== 'active true')
    throw new Error(
      `target: swarm needs a swarm manager, and this host's engine is not one (swarm state: ${state || 'unknown'}); ` +
        'run `docker swarm init` there or give a manager as host; nothing was changed'
    )
}
