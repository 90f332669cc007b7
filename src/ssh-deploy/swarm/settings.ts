import { InputError } from '../../core/errors.js'
import { InputReader, readChoice } from '../../core/inputs.js'

export const TARGETS = ['compose', 'swarm'] as const
export type Target = (typeof TARGETS)[number]

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
  for (const input of [
    'proxy-service',
    'proxy-reload-command',
    'stop-grace-period',
    'wait-stable',
    'wait-ignore'
  ])
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
