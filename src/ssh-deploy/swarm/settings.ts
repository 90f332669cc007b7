import { InputError } from '../../core/errors.js'
import { InputReader, readChoice, readDuration, readInteger } from '../../core/inputs.js'
import { DEFAULT_UPDATE_POLICY, UpdatePolicy } from './stack-file.js'

export const TARGETS = ['compose', 'swarm'] as const
export type Target = (typeof TARGETS)[number]

/** Inputs only the compose target reads, refused with swarm. */
export const COMPOSE_TARGET_INPUTS = [
  'proxy-service',
  'proxy-reload-command',
  'stop-grace-period',
  'wait-stable',
  'wait-ignore'
] as const

/**
 * target, checked against the inputs this first swarm slice does not take
 * yet, so a deploy never half-applies them.
 */
export function readTarget(
  read: InputReader,
  given: { hosts: number; strategy: string; build: boolean; services: readonly string[] }
): Target {
  const target = readChoice(read, 'target', TARGETS, 'compose')
  if (target !== 'swarm') return target
  const refuse = (input: string, why: string, hint: string) => {
    throw new InputError(input, why, hint)
  }
  if (given.hosts > 1)
    refuse(
      'host',
      `names ${given.hosts} hosts, and target: swarm deploys through one manager`,
      'Give one swarm manager as host: the engine places the tasks on the other nodes'
    )
  for (const input of COMPOSE_TARGET_INPUTS)
    if (read(input).trim())
      refuse(
        input,
        'is a setting of the compose target',
        "Leave it out with target: swarm: the stack file's deploy section (update_config, stop_grace_period) says how services change"
      )
  if (read('compose-command').trim() === 'docker-compose')
    refuse(
      'compose-command',
      'docker-compose (v1) cannot resolve the compose files into a stack file',
      'Use Compose v2 (`docker compose`) on the manager, or leave compose-command out'
    )
  if (given.strategy !== 'recreate')
    refuse(
      'strategy',
      `${given.strategy} is a compose strategy`,
      "Leave it out with target: swarm: the services' update_config decides"
    )
  if (given.build)
    refuse(
      'build',
      'cannot be used with target: swarm: every node must pull the same image',
      'Build and push with build-image, and pin the images by digest'
    )
  if (given.services.length > 0)
    refuse(
      'services',
      'cannot be used with target: swarm: the stack is deployed whole',
      'Leave it out'
    )
  return target
}

/** The inputs of the update policy for services that set no update_config. */
export const UPDATE_POLICY_INPUTS = [
  'swarm-update-order',
  'swarm-failure-action',
  'swarm-update-monitor',
  'swarm-update-parallelism'
] as const

const MAX_MONITOR_MS = 3600_000

/**
 * The update policy deploy-kit gives a service whose stack file sets no
 * update_config; refused with the compose target, where nothing would read it.
 */
export function readUpdatePolicy(read: InputReader, target: Target): UpdatePolicy {
  if (target !== 'swarm') {
    for (const input of UPDATE_POLICY_INPUTS)
      if (read(input).trim())
        throw new InputError(
          input,
          'is a setting of target: swarm',
          'Leave it out, or set target: swarm'
        )
    return DEFAULT_UPDATE_POLICY
  }
  const d = DEFAULT_UPDATE_POLICY
  const monitorMs = readDuration(read, 'swarm-update-monitor', d.monitorMs / 1000)
  if (monitorMs > MAX_MONITOR_MS)
    throw new InputError(
      'swarm-update-monitor',
      `${JSON.stringify(read('swarm-update-monitor').trim())} is longer than 1h`,
      'The engine watches each new task this long before the next one: use a few seconds to minutes'
    )
  return {
    order: readChoice(read, 'swarm-update-order', ['start-first', 'stop-first'], d.order),
    failureAction: readChoice(
      read,
      'swarm-failure-action',
      ['rollback', 'pause', 'continue'],
      d.failureAction
    ),
    monitorMs,
    parallelism: readInteger(read, 'swarm-update-parallelism', d.parallelism, 0, 100)
  }
}
