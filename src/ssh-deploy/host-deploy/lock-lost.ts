import type { LockLost } from '../lock.js'
import type { Journal } from './journal.js'
import { DeployFailure } from './report.js'

/** Another deploy holds the lock now: say what this run changed and what runs, and change nothing more. */
export function lockLostFailure(err: LockLost, releaseId: string, journal: Journal): DeployFailure {
  const { begun, live, report } = journal
  const done = begun.length
    ? `This run had begun: ${begun.join('; ')}`
    : 'This run had changed nothing'
  const ref = report?.ref ? ` (${report.ref.slice(0, 12)})` : ''
  const good = live ? `release ${live.id} (${live.ref.slice(0, 12)})` : undefined
  const running = journal.containers
    ? `the containers may run release ${releaseId}${ref}, recorded as started, not succeeded` +
      (good ? `; the last release recorded as succeeded is ${good}` : '')
    : good
      ? `the app still runs ${good}`
      : 'no release had succeeded on this host before'
  return new DeployFailure(
    `${err.message}. ${done}; ${running}. This run changes nothing more there: the deploy holding the lock decides what runs`,
    { ...report, changed: begun.length > 0, lockLost: true }
  )
}
