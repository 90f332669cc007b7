// A cancelled job: GitHub's runner sends the step's process SIGINT, then
// SIGTERM 7.5 s later, then kills it 2.5 s after that. The work stops at its
// next safe point (before the next change to a server), so what it did is
// recorded, its lock released and its summary written while there is time.
import { logRemote } from './log.js'

/** Thrown at a safe point once the run was asked to stop. */
export class Cancelled extends Error {
  constructor(
    readonly signal: string,
    before: string
  ) {
    super(`the run was cancelled (${signal}) before ${before}`)
    this.name = 'Cancelled'
  }
}

export class Cancellation {
  /** The signal that asked this run to stop, once one did. */
  signal?: string

  get requested(): boolean {
    return this.signal !== undefined
  }

  request(signal: string): void {
    this.signal ??= signal
  }

  /** At a safe point: stops here (throws Cancelled) if the run was asked to stop. */
  throwIfRequested(before: string): void {
    if (this.signal) throw new Cancelled(this.signal, before)
  }
}

/** The run's one cancellation, asked by the signals watchSignals handles. */
export const cancellation = new Cancellation()

/**
 * Handles SIGINT and SIGTERM for the work of a step: the first asks the work
 * to stop at its next safe point; a second (the runner's SIGTERM, or another
 * Ctrl-C) ends the process at once. Returns the function that removes the
 * handlers.
 */
export function watchSignals(
  target: Cancellation = cancellation,
  exit: (code: number) => void = code => process.exit(code)
): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (!target.requested) {
      target.request(signal)
      logRemote(
        `Cancel requested (${signal}): stopping before the next change to a server; what was done is recorded and the lock released`
      )
      return
    }
    logRemote(
      `Stopped by ${signal} before reaching a safe point; the post step releases this run's deploy lock`
    )
    exit(1)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
