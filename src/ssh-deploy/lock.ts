import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { failureText, type HostContext } from '../core/fleet.js'
import { RemoteError } from '../core/errors.js'
import { LockOwner, lockCommands, STALE_AFTER_SECONDS } from '../commands/lock.js'
import { shownValue } from './env-values.js'
import { statePaths } from '../commands/state-paths.js'

const HEARTBEAT_MS = 20_000
const POLL_MS = 2_000

export function newLockToken(): string {
  return randomBytes(12).toString('hex')
}

/** The owner file comes from the server: each field is shown so that it stays on its line. */
export function describeOwner(owner: Partial<LockOwner> | undefined): string {
  if (!owner?.runKey) return 'an unknown deploy'
  const shown = (v: unknown) => shownValue(String(v ?? '?'))
  return `${shown(owner.runUrl || owner.runKey)} (release ${shown(owner.release)}, since ${shown(owner.since)})`
}

function parseOwner(text: string): Partial<LockOwner> | undefined {
  try {
    const owner = JSON.parse(text) as unknown
    return owner && typeof owner === 'object' ? (owner as Partial<LockOwner>) : undefined
  } catch {
    return undefined
  }
}

/** What `acquire` prints when the lock is held: age, token as the server's shell read it, owner file. */
export function parseHolder(stdout: string): {
  ageSeconds: number
  token: string
  owner?: Partial<LockOwner>
} {
  const [age = '', token = '', ...owner] = stdout.split('\n')
  return { ageSeconds: Number(age), token: token.trim(), owner: parseOwner(owner.join('\n')) }
}

/** This run's lock was taken over or removed by someone else while it deployed. */
export class LockLost extends Error {
  constructor(
    readonly holder: string,
    readonly next: string
  ) {
    super(
      `${holder === 'nobody' ? 'the deploy lock was removed' : `another deploy took over the deploy lock: ${holder}`} while this deploy ran, so it stopped before ${next}`
    )
    this.name = 'LockLost'
  }
}

/** The deploy lock on one host, held while this run changes the app. */
export class DeployLock {
  private timer?: NodeJS.Timeout
  /** Who holds the lock, once a heartbeat found this run does not. */
  private lostTo?: string

  private constructor(
    private readonly host: HostContext,
    private readonly appDir: string,
    readonly token: string
  ) {}

  static async acquire(
    host: HostContext,
    appDir: string,
    owner: LockOwner,
    timeoutMs: number
  ): Promise<DeployLock> {
    const deadline = Date.now() + timeoutMs
    let announced = false
    // Takeovers tried since the last wait: a lock that keeps changing hands is looked at again, not fought over.
    let attempts = 0
    for (;;) {
      const cmd = lockCommands.acquire(appDir, owner)
      const tried = await host.run(cmd, { quiet: true })
      if (tried.code === 0) {
        const lock = new DeployLock(host, appDir, owner.token)
        lock.timer = setInterval(() => void lock.beat(), HEARTBEAT_MS)
        lock.timer.unref()
        host.info(`Deploy lock taken (${statePaths(appDir).lock})`)
        return lock
      }
      if (tried.code === 3) continue // released between our mkdir and the look: try again at once
      if (tried.code !== 1) throw new RemoteError(host.label, failureText(cmd, tried))
      const holder = parseHolder(tried.stdout)
      if (holder.ageSeconds > STALE_AFTER_SECONDS && attempts < 3) {
        attempts++
        const moved = await host.run(lockCommands.takeOver(appDir, holder.token, newLockToken()), {
          quiet: true
        })
        if (moved.code === 0) {
          core.warning(
            `${host.label}: taking over a deploy lock not refreshed for ${holder.ageSeconds}s, left by ${describeOwner(holder.owner)} (a cancelled or killed run)`
          )
        }
        // Otherwise another deploy took it over first, or it was released: look again.
        continue
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `the app is locked by another deploy: ${describeOwner(holder.owner)}. Waited ${Math.round(timeoutMs / 1000)}s (lock-timeout); ` +
            `if that run is gone, the lock is taken over ${STALE_AFTER_SECONDS}s after its last heartbeat`
        )
      }
      if (!announced)
        host.info(`Waiting for the deploy lock held by ${describeOwner(holder.owner)}`)
      announced = true
      attempts = 0
      await new Promise(resolve => setTimeout(resolve, POLL_MS))
    }
  }

  /** Refreshes the lock; returns who holds it instead when this run does not any more. */
  private async refresh(): Promise<string | undefined> {
    const cmd = lockCommands.heartbeat(this.appDir, this.token)
    const r = await this.host.run(cmd, { quiet: true })
    if (r.code === 0) return undefined
    if (r.code !== 3) throw new RemoteError(this.host.label, failureText(cmd, r))
    const owner = parseOwner(r.stdout)
    return r.stdout.trim() ? describeOwner(owner) : 'nobody'
  }

  private async beat(): Promise<void> {
    try {
      this.lostTo ??= await this.refresh()
      if (this.lostTo) this.stopBeating()
    } catch {
      // the connection is gone; the deploy itself reports that
    }
  }

  private stopBeating(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  /**
   * Checks that this run still holds the lock, right before `next` changes
   * the server; throws LockLost when another deploy has it (or nobody).
   */
  async ensureHeld(next: string): Promise<void> {
    this.lostTo ??= await this.refresh()
    if (this.lostTo) {
      this.stopBeating()
      throw new LockLost(this.lostTo, next)
    }
  }

  async release(): Promise<void> {
    this.stopBeating()
    if (this.lostTo) return
    await this.host.run(lockCommands.release(this.appDir, this.token), { quiet: true })
  }
}
