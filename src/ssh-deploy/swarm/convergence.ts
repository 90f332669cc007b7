// Whether one service of a stack has converged, is still on its way, or
// failed, from what `docker service inspect` and `docker inspect --type task`
// say. A task counts only when it runs the service's current spec: right after
// `docker stack deploy` the engine has reset the update status and the old
// tasks still run, which is not converged.
import { isObject, JsonObject as Json } from '../../core/json-object.js'

/** The parts of `docker service inspect` read here. */
export interface SwarmService {
  ID: string
  Spec: {
    Name: string
    Mode?: {
      Replicated?: { Replicas?: number }
      Global?: object
      ReplicatedJob?: { MaxConcurrent?: number; TotalCompletions?: number }
      GlobalJob?: object
    }
    TaskTemplate?: unknown
  }
  UpdateStatus?: { State?: string; StartedAt?: string; Message?: string }
  /** A job's run: each new spec (or rerun) is a new iteration. */
  JobStatus?: { JobIteration?: { Index?: number } }
}

/** The parts of `docker inspect --type task` read here. */
export interface SwarmTask {
  ID: string
  ServiceID: string
  DesiredState?: string
  Spec?: unknown
  /** The job iteration the task belongs to (absent or 0 for the first). */
  JobIteration?: { Index?: number }
  Status?: {
    State?: string
    Err?: string
    Timestamp?: string
    ContainerStatus?: { ExitCode?: number }
  }
}

export type Verdict =
  | { kind: 'converged'; line: string }
  | { kind: 'waiting'; line: string }
  /** The engine is rolling this deploy's update back: a failure, once it is back. */
  | { kind: 'rolling-back'; line: string }
  | { kind: 'failed'; line: string }

const FAILED_UPDATE = new Set(['paused', 'rollback_paused', 'rollback_completed'])

/** The update status as a snapshot, to tell this deploy's update from an earlier one. */
export function updateSnapshot(service: SwarmService | undefined): string {
  return JSON.stringify(service?.UpdateStatus ?? null)
}

/**
 * What the engine fills into a service's task template when it is shown
 * (`docker service inspect` asks for defaults) but not into the tasks made
 * from it: the engine's own service defaults.
 */
const TASK_DEFAULTS: Json = {
  ContainerSpec: { StopGracePeriod: 10_000_000_000, PullOptions: {}, DNSConfig: {} },
  Resources: {},
  RestartPolicy: { Condition: 'any', Delay: 5_000_000_000, MaxAttempts: 0 },
  Placement: {},
  Runtime: 'container'
}

function withDefaults(spec: unknown, defaults: Json): unknown {
  if (!isObject(spec)) return spec
  const out: Json = { ...spec }
  for (const [key, value] of Object.entries(defaults)) {
    if (out[key] === undefined) out[key] = value
    else if (isObject(value)) out[key] = withDefaults(out[key], value)
  }
  return out
}

/** A field the engine may leave out of its JSON as well as show (Go's zero values). */
const isZero = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  v === false ||
  v === 0 ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (isObject(v) && Object.keys(v).length === 0)

/**
 * The same JSON for the same spec: keys sorted, fields with zero values left
 * out (a task made by the engine's own rollback omits `NoNewPrivileges:
 * false` that the service shows).
 */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical)
  if (!isObject(v)) return v
  const out: Json = {}
  for (const key of Object.keys(v).sort()) {
    const value = canonical(v[key])
    if (!isZero(value)) out[key] = value
  }
  return out
}

const specKey = (spec: unknown): string =>
  JSON.stringify(canonical(withDefaults(spec, TASK_DEFAULTS)))

/** Whether a task was made from the service's current task template. */
export const runsCurrentSpec = (service: SwarmService, task: SwarmTask): boolean =>
  specKey(task.Spec) === specKey(service.Spec.TaskTemplate)

/**
 * `before`: the service's update snapshot from before this deploy (undefined
 * for a service this deploy creates). An update status unchanged since then
 * is an earlier deploy's, and says nothing about this one.
 */
export function judgeService(
  service: SwarmService,
  tasks: readonly SwarmTask[],
  before: string | undefined
): Verdict {
  const name = service.Spec.Name
  const mine = tasks.filter(t => t.ServiceID === service.ID)
  const update = updateSnapshot(service) !== before ? service.UpdateStatus : undefined
  const state = update?.State ?? ''
  const message = update?.Message ? `: ${update.Message}` : ''
  if (FAILED_UPDATE.has(state)) {
    const what =
      state === 'paused'
        ? 'the engine paused its update'
        : state === 'rollback_paused'
          ? "the engine's rollback of its update paused"
          : 'the engine rolled its update back to the previous spec'
    return { kind: 'failed', line: `${name}: ${what}${message}` }
  }
  if (state === 'rollback_started')
    return {
      kind: 'rolling-back',
      line: `${name}: the engine is rolling its update back${message}`
    }

  const mode = service.Spec.Mode ?? {}
  // A service this deploy created has only tasks of its spec; once the engine says this
  // deploy's update completed, every task that should run is of the new spec.
  const current = mine.filter(
    t => before === undefined || state === 'completed' || runsCurrentSpec(service, t)
  )
  if (mode.ReplicatedJob || mode.GlobalJob) {
    // A job's tasks of this run are those of its current iteration, whatever their spec shows.
    const iteration = service.JobStatus?.JobIteration?.Index ?? 0
    const current = mine.filter(t => (t.JobIteration?.Index ?? 0) === iteration)
    const total = mode.ReplicatedJob?.TotalCompletions ?? Math.max(1, current.length)
    const done = current.filter(t => t.Status?.State === 'complete').length
    if (done >= total)
      return { kind: 'converged', line: `${name}: job completed (${done}/${total})` }
    // The engine starts a failed job task again; past the restarts the job allows
    // (restart_policy.max_attempts; none by default), the deploy counts it failed.
    const failed = current.filter(t => ['failed', 'rejected'].includes(t.Status?.State ?? ''))
    if (failed.length > restartsAllowed(service)) {
      const exit = failed[failed.length - 1].Status?.ContainerStatus?.ExitCode
      return {
        kind: 'failed',
        line: `${name}: job task failed${exit !== undefined ? ` with exit code ${exit}` : ''}`
      }
    }
    return { kind: 'waiting', line: `${name}: job ${done}/${total} completed` }
  }
  const running = current.filter(
    t => t.DesiredState === 'running' && t.Status?.State === 'running'
  ).length
  const wanted = mode.Global
    ? Math.max(1, mine.filter(t => t.DesiredState === 'running').length)
    : (mode.Replicated?.Replicas ?? 1)
  const updating = state && state !== 'completed' ? ` (update ${state})` : ''
  if (running >= wanted && !updating)
    return { kind: 'converged', line: `${name}: ${running}/${wanted} running` }
  return { kind: 'waiting', line: `${name}: ${running}/${wanted} running${updating}` }
}

function restartsAllowed(service: SwarmService): number {
  const template = service.Spec.TaskTemplate as { RestartPolicy?: { MaxAttempts?: number } }
  return template?.RestartPolicy?.MaxAttempts ?? 0
}

/** The tasks of a service that failed, newest last. */
export function failedTasks(service: SwarmService, tasks: readonly SwarmTask[]): SwarmTask[] {
  return tasks
    .filter(t => t.ServiceID === service.ID)
    .filter(t => ['failed', 'rejected'].includes(t.Status?.State ?? '') || Boolean(t.Status?.Err))
    .sort((a, b) => (a.Status?.Timestamp ?? '').localeCompare(b.Status?.Timestamp ?? ''))
}
