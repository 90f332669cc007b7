import { swarmCommands } from '../../commands/swarm.js'
import type { HostContext } from '../../core/fleet.js'
import type { SwarmService, SwarmTask } from './convergence.js'

const lines = (text: string) =>
  text
    .split('\n')
    .map(s => s.trim())
    .filter(Boolean)

/** The stack's services and every task the engine keeps of them, read from the manager. */
export async function readStack(
  host: HostContext,
  stack: string
): Promise<{ services: SwarmService[]; tasks: SwarmTask[] }> {
  const ids = lines((await host.check(swarmCommands.serviceIds(stack), { quiet: true })).stdout)
  if (ids.length === 0) return { services: [], tasks: [] }
  const services = JSON.parse(
    (await host.check(swarmCommands.inspectServices(ids), { quiet: true })).stdout
  ) as SwarmService[]
  const taskIds = lines((await host.check(swarmCommands.taskIds(ids), { quiet: true })).stdout)
  const tasks =
    taskIds.length === 0
      ? []
      : (JSON.parse(
          (await host.check(swarmCommands.inspectTasks(taskIds), { quiet: true })).stdout
        ) as SwarmTask[])
  return { services, tasks }
}
