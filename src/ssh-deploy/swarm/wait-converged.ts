import { swarmCommands } from '../../commands/swarm.js'
import { cancellation } from '../../core/cancellation.js'
import type { HostContext } from '../../core/fleet.js'
import { failedTasks, judgeService, SwarmService, SwarmTask, Verdict } from './convergence.js'
import { readStack } from './stack-state.js'

const POLL_MS = 2000
/** A long wait says where it stands this often, even when nothing changed. */
const PROGRESS_EVERY_MS = 10_000
const LOG_LINES = 20
const ERROR_LINES = 5

export interface StackWait {
  stack: string
  /** The stack file's services, by their names in it. */
  services: readonly string[]
  /** Each existing service's update snapshot from before the deploy, by service id. */
  before: ReadonlyMap<string, string>
  /** The ids of the tasks from before the deploy: an earlier deploy's failures are left out. */
  tasksBefore: ReadonlySet<string>
  timeoutMs: number
}

/**
 * Waits until every service of the stack runs its replicas of the new spec
 * (healthy: a task with a healthcheck runs only once healthy), its update
 * completed and each job completed with exit 0. An update the engine paused
 * or rolled back fails the wait, once the rollback is over; so does the
 * deadline. A failure names each failing task's error and its last log lines.
 */
export async function waitConverged(host: HostContext, w: StackWait): Promise<string[]> {
  const started = Date.now()
  let shown = ''
  let shownAt = 0
  for (;;) {
    const { services, tasks } = await readStack(host, w.stack)
    const verdicts = judgeAll(w, services, tasks)
    const line = verdicts.map(v => v.line).join('; ')
    if (verdicts.every(v => v.kind === 'converged')) {
      host.info(`Stack ${w.stack} converged: ${line}`)
      return verdicts.map(v => v.line)
    }
    const waited = Date.now() - started
    const failed = verdicts.some(v => v.kind === 'failed')
    const rollingBack = verdicts.some(v => v.kind === 'rolling-back')
    if ((failed && !rollingBack) || waited >= w.timeoutMs || cancellation.requested) {
      const why = cancellation.requested
        ? 'the run was cancelled while waiting'
        : failed && !rollingBack
          ? 'it failed'
          : `it did not converge within ${Math.round(w.timeoutMs / 1000)}s`
      throw new Error(
        `stack ${w.stack}: ${why}: ${verdicts
          .filter(v => v.kind !== 'converged')
          .map(v => v.line)
          .join('; ')}${await explain(
          host,
          services,
          tasks.filter(t => !w.tasksBefore.has(t.ID)),
          verdicts
        )}`
      )
    }
    if (line !== shown || Date.now() - shownAt >= PROGRESS_EVERY_MS) {
      host.info(`Waiting for stack ${w.stack} (${Math.round(waited / 1000)}s): ${line}`)
      shown = line
      shownAt = Date.now()
    }
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
}

function judgeAll(w: StackWait, services: SwarmService[], tasks: SwarmTask[]): Verdict[] {
  const byName = new Map(services.map(s => [s.Spec.Name, s]))
  return w.services.map(name => {
    const service = byName.get(`${w.stack}_${name}`)
    if (!service)
      return { kind: 'waiting', line: `${w.stack}_${name}: not created yet` } satisfies Verdict
    return judgeService(service, tasks, w.before.get(service.ID))
  })
}

/** For each service that did not converge: its failed tasks' errors as the engine words them, and the last one's log lines. */
async function explain(
  host: HostContext,
  services: SwarmService[],
  tasks: SwarmTask[],
  verdicts: Verdict[]
): Promise<string> {
  const notConverged = new Set(
    verdicts.filter(v => v.kind !== 'converged').map(v => v.line.split(':')[0])
  )
  const parts: string[] = []
  for (const service of services.filter(s => notConverged.has(s.Spec.Name))) {
    const name = service.Spec.Name
    // `docker service ps` lists every task the engine kept; only this deploy's are shown.
    const ids = new Set(tasks.map(t => t.ID))
    const errors = (await host.run(swarmCommands.failedTasks(name), { quiet: true })).stdout
      .split('\n')
      .map(l => l.trim())
      .filter(l => l && !l.endsWith(':') && ids.has(l.split(' ')[0]))
      .map(l => l.slice(l.indexOf(' ') + 1))
      .slice(-ERROR_LINES)
    const last = failedTasks(service, tasks).pop()
    if (errors.length > 0) parts.push(`${name} tasks that failed:\n${errors.join('\n')}`)
    if (last) {
      const logs = await host.run(swarmCommands.taskLogs(last.ID, LOG_LINES), { quiet: true })
      const text = (logs.stdout + logs.stderr).trim()
      host.info(`Last log lines of ${name} task ${last.ID}:\n${text || '(none)'}`)
      if (text)
        parts.push(
          `last log lines of task ${last.ID.slice(0, 12)}:\n${text.split('\n').slice(-ERROR_LINES).join('\n')}`
        )
    }
  }
  return parts.length > 0 ? `\n${parts.join('\n')}` : ''
}
