import type { HostContext } from '../../core/fleet.js'

/** What one deploy run does, the same for every host. */
export interface DeployPlan {
  releaseId: string
  /** Packed tree for source upload. */
  archive?: string
  /** Called once the lock is held, so a cancelled job's post step can release it. */
  onLocked?: (token: string, host: string) => void
  lockToken: string
  /**
   * The caller holds each host's lock past this stage (the root action, to
   * the end of its smoke check and any rollback): it is neither released
   * here nor beaten once this stage ends, and the caller frees it.
   */
  keepLock?: boolean
  /**
   * The caller verifies the release after this stage (the root action's
   * smoke check): once ready it stays recorded as started, and the caller
   * records it succeeded or failed.
   */
  confirmLater?: boolean
  /** false: the caller decides the way back (the root action), so no hint names one. */
  wayBack?: boolean
  /** Runs on each host once the new images are ready, before any container changes. */
  beforeStart?: (host: HostContext) => Promise<void>
}

export interface HostReport {
  releaseId: string
  ref: string
  previousRef: string
  previousRelease: string
  /** True once anything the running app depends on was changed. */
  changed: boolean
  rollbackOf?: string
  /** Another deploy took the lock over while this one ran: the server is that deploy's now. */
  lockLost?: boolean
}

/** An error after the server was changed: says what state the host is left in. */
export class DeployFailure extends Error {
  constructor(
    message: string,
    readonly report: Partial<HostReport>
  ) {
    super(message)
  }
}
