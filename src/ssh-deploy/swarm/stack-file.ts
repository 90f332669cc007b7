// The stack file deploy-kit gives `docker stack deploy`: the compose files as
// `docker compose config` resolved them with the env file (a stack file takes
// no --env-file), in the form the stack loader accepts, with an update policy
// (by default: start the new task first, roll back on failure) for each
// service that sets none of its own.
import { posix } from 'node:path'
import { isObject, JsonObject as Json } from '../../core/json-object.js'

/** How a service that sets no `update_config` of its own is updated (the swarm-update-* inputs). */
export interface UpdatePolicy {
  order: 'start-first' | 'stop-first'
  failureAction: 'rollback' | 'pause' | 'continue'
  /** How long the engine watches each new task for a failure before the next. */
  monitorMs: number
  /** Tasks updated at once; 0: all. */
  parallelism: number
}

/** Starts the new task first and rolls back on failure. */
export const DEFAULT_UPDATE_POLICY: UpdatePolicy = {
  order: 'start-first',
  failureAction: 'rollback',
  monitorMs: 10_000,
  parallelism: 1
}

/** A duration as the stack file writes one (Go's time.ParseDuration reads it). */
const goDuration = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`)

/** The stack file's `update_config` for a policy. */
export function updateConfig(p: UpdatePolicy): Json {
  return {
    parallelism: p.parallelism,
    order: p.order,
    failure_action: p.failureAction,
    monitor: goDuration(p.monitorMs),
    max_failure_ratio: 0
  }
}

/** The same order and monitor for the way back, so a rollback too keeps the old task until the new one runs; a failed rollback pauses. */
export function rollbackConfig(p: UpdatePolicy): Json {
  return {
    parallelism: p.parallelism,
    order: p.order,
    failure_action: 'pause',
    monitor: goDuration(p.monitorMs)
  }
}

export interface StackFile {
  /** The stack file's text (JSON, which the stack loader reads as YAML). */
  text: string
  services: string[]
  /** Services given the default update policy. */
  defaulted: string[]
}

/**
 * Compose writes what the stack loader refuses or reads otherwise: a
 * top-level `name`, ports published as strings, `depends_on` as a map, null
 * commands, and each network and volume named after the project already (the
 * stack names them after the stack, which is the project). Its own networks
 * are made attachable, for a one-off container beside the stack. A job service
 * (`replicated-job`, `global-job`) gets no update policy: the engine refuses one.
 */
export function toStackFile(
  resolved: string,
  project: string,
  policy: UpdatePolicy = DEFAULT_UPDATE_POLICY
): StackFile {
  const config = parseWithServices(resolved, {
    notJson: '`docker compose config --format json` did not print JSON',
    noServices: 'the resolved compose files have no services'
  })
  const stack: Json = { ...config, version: '3.9' }
  delete stack.name
  for (const key of ['networks', 'volumes'] as const) {
    const section = stack[key]
    if (!isObject(section)) continue
    for (const [entry, value] of Object.entries(section)) {
      if (isObject(value) && !value.external && value.name === `${project}_${entry}`) {
        const kept = { ...value }
        delete kept.name
        section[entry] = kept
      }
    }
  }
  // A migration runs in a one-off container beside the stack (`docker run --network`),
  // which an overlay network admits only when attachable.
  if (isObject(stack.networks))
    for (const [entry, value] of Object.entries(stack.networks))
      if (isObject(value) && !value.external && value.attachable === undefined)
        stack.networks[entry] = { ...value, attachable: true }
  const defaulted: string[] = []
  const services = config.services as Record<string, Json>
  for (const [name, service] of Object.entries(services)) {
    if (!isObject(service)) continue
    for (const key of ['command', 'entrypoint'] as const)
      if (service[key] === null) delete service[key]
    if (isObject(service.depends_on)) service.depends_on = Object.keys(service.depends_on)
    if (Array.isArray(service.ports)) {
      service.ports = service.ports.map(port =>
        isObject(port) && typeof port.published === 'string' && /^\d+$/.test(port.published)
          ? { ...port, published: Number(port.published) }
          : port
      )
    }
    const deploy = isObject(service.deploy) ? service.deploy : {}
    if (!isObject(service.deploy)) service.deploy = deploy
    // The engine refuses an update policy on a job: a job runs once per spec.
    const job = deploy.mode === 'replicated-job' || deploy.mode === 'global-job'
    if (!job && !isObject(deploy.update_config)) {
      deploy.update_config = updateConfig(policy)
      if (!isObject(deploy.rollback_config)) deploy.rollback_config = rollbackConfig(policy)
      defaulted.push(name)
    }
  }
  return {
    text: JSON.stringify(stack, null, 2) + '\n',
    services: Object.keys(services),
    defaulted
  }
}

/** A stack file kept from an earlier deploy, as it is: its services, and nothing defaulted now. */
export function keptStackFile(text: string): StackFile {
  const stack = parseWithServices(text, {
    notJson: 'the kept stack file is not JSON',
    noServices: 'the kept stack file has no services'
  })
  return { text, services: Object.keys(stack.services), defaulted: [] }
}

/** A compose or stack document as JSON, with a `services` map, or the error that says which it is not. */
function parseWithServices(
  text: string,
  errors: { notJson: string; noServices: string }
): Json & { services: Json } {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw new Error(errors.notJson)
  }
  if (!isObject(doc) || !isObject(doc.services)) throw new Error(errors.noServices)
  return doc as Json & { services: Json }
}

/**
 * Where a release's stack file is kept: in its release directory (source:
 * upload), else beside the release log, one file per release.
 */
export function stackFilePath(
  appDir: string,
  source: string,
  releaseId: string,
  releaseDir: string
): string {
  return source === 'upload'
    ? posix.join(releaseDir, 'deploy-kit-stack.json')
    : posix.join(appDir, '.deploy-kit', 'stacks', `${releaseId}.json`)
}
