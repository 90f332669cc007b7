import { swarmCommands } from '../../commands/swarm.js'
import type { RemoteCommand } from '../../core/remote-command.js'
import { failureText, HostContext } from '../../core/fleet.js'
import { RemoteError } from '../../core/errors.js'
import type { SwarmService, SwarmTask } from './convergence.js'

const lines = (text: string) =>
  text
    .split('\n')
    .map(s => s.trim())
    .filter(Boolean)

/**
 * How the engine (20.10 to 28) and the CLI say that an object listed a moment
 * before is gone: the engine reaps old tasks as new ones start (the task
 * history limit), and `--prune` removes services.
 */
const GONE = [
  /^Error response from daemon: task \S+ not found$/i,
  /^Error: no such (task|service|object): \S+$/i,
  /^no such (task|service): \S+$/i
]

export const isGoneOnly = (stderr: string): boolean => {
  const said = lines(stderr)
  return said.length > 0 && said.every(line => GONE.some(gone => gone.test(line)))
}

/**
 * Runs a command about objects listed a moment before: the ones the engine
 * removed in between are left out of its output, as if they had not been
 * listed; any other failure fails as `check` does.
 */
async function aboutListed(host: HostContext, cmd: RemoteCommand): Promise<string> {
  const r = await host.run(cmd, { quiet: true })
  if (r.code !== 0 && !isGoneOnly(r.stderr)) throw new RemoteError(host.label, failureText(cmd, r))
  return r.stdout
}

const parsed = <T>(json: string): T[] => (json.trim() ? (JSON.parse(json) as T[]) : [])

/** The stack's services and every task the engine keeps of them, read from the manager. */
export async function readStack(
  host: HostContext,
  stack: string
): Promise<{ services: SwarmService[]; tasks: SwarmTask[] }> {
  const ids = lines((await host.check(swarmCommands.serviceIds(stack), { quiet: true })).stdout)
  if (ids.length === 0) return { services: [], tasks: [] }
  const services = parsed<SwarmService>(await aboutListed(host, swarmCommands.inspectServices(ids)))
  if (services.length === 0) return { services: [], tasks: [] }
  const taskIds = lines(await aboutListed(host, swarmCommands.taskIds(services.map(s => s.ID))))
  const tasks =
    taskIds.length === 0
      ? []
      : parsed<SwarmTask>(await aboutListed(host, swarmCommands.inspectTasks(taskIds)))
  return { services, tasks }
}
