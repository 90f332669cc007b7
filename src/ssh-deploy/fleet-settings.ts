import { InputError } from '../core/errors.js'
import { InputReader, readBoolean, readInteger } from '../core/inputs.js'

/** How the hosts of one run go together. */
export interface FleetSettings {
  /** How many hosts deploy first, alone, and must succeed before the rest start (0: none). */
  canary: number
  /**
   * true: once a host fails, no further host starts and every host this run
   * changed goes back to the release it ran before; false: each host on its own.
   */
  rollback: boolean
  /** A host with less free space where the app directory is is refused before any host changes. */
  minFreeMb: number
}

export function readFleetSettings(read: InputReader, hostCount: number): FleetSettings {
  const canary = readInteger(read, 'canary', 0, 0, 100)
  if (canary > 0 && canary >= hostCount) {
    throw new InputError(
      'canary',
      `is ${canary}, but there ${hostCount === 1 ? 'is 1 host' : `are ${hostCount} hosts`}`,
      'Give fewer canary hosts than hosts, or 0 for none'
    )
  }
  return {
    canary,
    rollback: readBoolean(read, 'fleet-rollback', true),
    minFreeMb: readInteger(read, 'min-free-mb', 500, 0, 10_000_000)
  }
}
