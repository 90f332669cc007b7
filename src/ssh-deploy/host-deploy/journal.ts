import { cancellation, Cancellation } from '../../core/cancellation.js'
import { LockLost } from '../lock.js'
import type { ReleaseRecord } from '../release-log.js'
import type { HostReport } from './report.js'

/** What a step that changed the server puts back when a later step fails; returns the error to report instead. */
export type Undo = (err: unknown) => Promise<unknown>

export interface ChangeOptions {
  /** The containers are being changed to this release. */
  containers?: boolean
  /** Once done, something the running app depends on is changed. */
  app?: boolean
  /** What to put back if a later step fails. */
  undo?: Undo
}

/** Checks, right before a change, that this run still holds the deploy lock (throws LockLost if not). */
export type LockCheck = (next: string) => Promise<void>

/**
 * What this run changed on a host so far, and how to put it back: each
 * change is begun through it, so the lock is checked first, and `changed`
 * is set here only.
 */
export class Journal {
  /** Each change begun, in order; the last may be partial. */
  readonly begun: string[] = []
  /** The containers were being changed to this release. */
  containers = false
  /** How many container changes were begun: a change that fails after one of its own began left the app changed. */
  private containerChanges = 0
  /** The release that ran before, once the log was read. */
  live?: ReleaseRecord
  report?: HostReport
  private undos: Undo[] = []

  constructor(
    private readonly checkLock: LockCheck = async () => undefined,
    private readonly cancel: Cancellation = cancellation
  ) {}

  /** The run was asked to stop: a failure now is the cancel's, reached at a safe point. */
  get cancelRequested(): boolean {
    return this.cancel.requested
  }

  /** The report of this run, once the target is known; `changed` starts false. */
  open(report: Omit<HostReport, 'changed'>, live: ReleaseRecord | undefined): HostReport {
    this.live = live
    this.report = { ...report, changed: false }
    return this.report
  }

  /**
   * Right before a change, the safe point to stop at: the run was not
   * cancelled, the lock is still this run's, and the change counts as begun.
   */
  async begin(next: string, opts: Pick<ChangeOptions, 'containers'> = {}): Promise<void> {
    this.cancel.throwIfRequested(next)
    await this.checkLock(next)
    this.begun.push(next)
    if (opts.containers) this.containersChanging()
  }

  /** Within a change begun already (and its lock checked), containers start to change now. */
  containersChanging(): void {
    this.containers = true
    this.containerChanges++
  }

  /** Begins `next`, does it, and keeps what a failure later has to put back. */
  async change<T>(next: string, action: () => Promise<T>, opts: ChangeOptions = {}): Promise<T> {
    await this.begin(next, opts)
    const begunBefore = this.containerChanges
    let value: T
    try {
      value = await action()
    } catch (err) {
      // Part of it was done: a container it began to change may run the new release, or none.
      if (opts.app && this.report && this.containerChanges > begunBefore) this.report.changed = true
      throw err
    }
    if (opts.app && this.report) this.report.changed = true
    if (opts.undo) this.undos.push(opts.undo)
    return value
  }

  /** What to put back from now on if a later step fails, for a step that changed nothing to begin. */
  onFailure(undo: Undo): void {
    this.undos.push(undo)
  }

  /**
   * The undos kept so far are dropped: from the release's started record on,
   * a failure is written to the release log, which names the way back.
   */
  settle(): void {
    this.undos = []
  }

  /**
   * Puts back what the steps so far changed, newest first, and returns the
   * error to report. Nothing is put back once another deploy holds the lock:
   * the server is that deploy's.
   */
  async fail(err: unknown): Promise<unknown> {
    if (err instanceof LockLost) return err
    let reported = err
    for (const undo of [...this.undos].reverse()) reported = await undo(reported)
    return reported
  }
}
