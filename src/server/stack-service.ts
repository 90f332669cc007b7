// A stack service as a one-off container on the manager: what `migrate` runs a
// migration in with target: swarm, made from the release's kept stack file
// (the compose files as resolved, env values filled in).
import type { OneOffRun } from '../commands/swarm.js'
import { isObject, JsonObject as Json } from '../core/json-object.js'

export interface StackServiceRun {
  run: OneOffRun
  /** The service's own command, for a tool that runs it as it is. */
  command: string[]
}

/** Compose writes a command or entrypoint as a list; a string is run by a shell, as Docker does. */
function words(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(String)
  if (typeof value === 'string') return ['/bin/sh', '-c', value]
  return undefined
}

/** A `--mount` field: CSV, so a value with a comma or a quote is quoted. */
const csv = (value: string): string =>
  /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value

/** The name the stack gives a network or volume of its file: `<stack>_<key>` unless the file names it. */
function stackScoped(stack: string, section: unknown, key: string): string {
  const entry = isObject(section) ? section[key] : undefined
  if (isObject(entry) && typeof entry.name === 'string' && entry.name) return entry.name
  return `${stack}_${key}`
}

function mountOf(stack: string, volumes: unknown, m: Json): string {
  const type = String(m.type ?? 'volume')
  const source = typeof m.source === 'string' ? m.source : ''
  const fields = [`type=${type}`]
  if (source)
    fields.push(`source=${type === 'volume' ? stackScoped(stack, volumes, source) : source}`)
  fields.push(`target=${String(m.target)}`)
  if (m.read_only === true) fields.push('readonly')
  return fields.map(csv).join(',')
}

/**
 * The one-off run of `service` from a kept stack file. Refuses what a one-off
 * container cannot be given the same way: a value with a line break (an env
 * file holds one line a value).
 */
export function stackServiceRun(
  stackText: string,
  stack: string,
  service: string
): StackServiceRun {
  const doc = JSON.parse(stackText) as Json
  const services = isObject(doc.services) ? doc.services : {}
  const svc = services[service]
  if (!isObject(svc))
    throw new Error(
      `the stack file has no service ${service}; its services: ${Object.keys(services).join(', ')}`
    )
  if (typeof svc.image !== 'string' || !svc.image)
    throw new Error(`service ${service} of the stack file has no image`)
  const env: string[] = []
  const environment = isObject(svc.environment) ? svc.environment : {}
  for (const [key, value] of Object.entries(environment)) {
    if (value === null || value === undefined) continue
    const text = String(value)
    if (/[\r\n]/.test(text))
      throw new Error(
        `${key} of service ${service} holds a line break, which a one-off container's env file cannot pass`
      )
    env.push(`${key}=${text}`)
  }
  const networks = Array.isArray(svc.networks)
    ? svc.networks.map(String)
    : isObject(svc.networks)
      ? Object.keys(svc.networks)
      : ['default']
  const volumes = Array.isArray(svc.volumes) ? svc.volumes.filter(isObject) : []
  return {
    run: {
      image: svc.image,
      network: networks.length > 0 ? stackScoped(stack, doc.networks, networks[0]) : undefined,
      mounts: volumes.map(m => mountOf(stack, doc.volumes, m)),
      workingDir: typeof svc.working_dir === 'string' ? svc.working_dir : undefined,
      user: typeof svc.user === 'string' ? svc.user : undefined,
      entrypoint: words(svc.entrypoint),
      envText: env.map(line => `${line}\n`).join('')
    },
    command: words(svc.command) ?? []
  }
}
