import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { failureText, type HostContext } from '../core/fleet.js'
import { errorMessage, RemoteError } from '../core/errors.js'
import { remoteLineLog } from '../core/log.js'
import type { ExecResult } from '../core/ssh-session.js'
import { LockOwner, lockCommands, STALE_AFTER_SECONDS } from '../commands/lock.js'
import { shownValue } from './env-values.js'
import { statePaths } from '../commands/state-paths.js'

const HEARTBEAT_MS = 20_000
const POLL_MS = 2_000
/** The wait before looking again at a lock that changed hands meanwhile. */
const RETRY_MS = 200
/** How many such looks may still follow once lock-timeout is over. */
const QUICK_TRIES_LATE = 3

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** Why the lock cannot be had at all: the reason the server's mkdir or mv gave, and the host's state. */
function cannotLock(
  host: HostContext,
  what: string,
  r: ExecResult,
  state = 'nothing was changed on this host'
): RemoteError {
  const said = r.stderr.trim().split('\n').pop() ?? ''
  // `mkdir: cannot create directory '…': Permission denied`: the reason is what follows the last colon.
  const reason = shownValue(said.slice(said.lastIndexOf(': ') + 1).trim() || `exit code ${r.code}`)
  return new RemoteError(host.label, `${what}: ${reason}; ${state}`)
}

function lockTimedOut(
  holder: { owner?: Partial<LockOwner> } | undefined,
  timeoutMs: number
): Error {
  return new Error(
    `the app is locked by another deploy: ${describeOwner(holder?.owner)}. Waited ${Math.round(timeoutMs / 1000)}s (lock-timeout); ` +
      `if that run is gone, the lock is taken over ${STALE_AFTER_SECONDS}s after its last heartbeat`
  )
}

export function newLockToken(): string {
  return randomBytes(12).toString('hex')
}

/** The owner file comes from the server: each field is shown so that it stays on its line. */
export function describeOwner(owner: Partial<LockOwner> | undefined): string {
  if (!owner?.runKey) return 'an unknown deploy'
  const shown = (v: unknown) => shownValue(String(v ?? '?'))
  const attempt = owner.attempt ? `attempt ${shown(owner.attempt)}, ` : ''
  return `${shown(owner.runUrl || owner.runKey)} (${attempt}release ${shown(owner.release)}, since ${shown(owner.since)})`
}

export function parseOwner(text: string): Partial<LockOwner> | undefined {
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

  /**
   * Takes the lock, waiting up to `timeoutMs` while another deploy holds it
   * and taking over one left by a killed run. Every retry waits, and none
   * outlives the timeout by more than a few quick tries; a lock that cannot
   * be made or moved for another reason is an error at once.
   */
  static async acquire(
    host: HostContext,
    appDir: string,
    owner: LockOwner,
    timeoutMs: number
  ): Promise<DeployLock> {
    const deadline = Date.now() + timeoutMs
    const lockPath = statePaths(appDir).lock
    let announced = false
    // Quick tries past the deadline: a lock that changed hands while it was looked at is looked at again.
    let late = 0
    const mayRetry = () => Date.now() < deadline || late++ < QUICK_TRIES_LATE
    let holder: ReturnType<typeof parseHolder> | undefined
    for (;;) {
      const cmd = lockCommands.acquire(appDir, owner)
      const tried = await host.run(cmd, { quiet: true })
      if (tried.code === 0) {
        const lock = new DeployLock(host, appDir, owner.token)
        lock.scheduleBeat()
        host.info(`Deploy lock taken (${lockPath})`)
        return lock
      }
      if (tried.code === 4)
        throw cannotLock(
          host,
          `cannot create the deploy lock's directory ${statePaths(appDir).dir}`,
          tried
        )
      if (tried.code === 5)
        throw cannotLock(host, `cannot create the deploy lock ${lockPath}`, tried)
      if (tried.code === 3) {
        // Released between our mkdir and the look.
        if (!mayRetry()) throw lockTimedOut(holder, timeoutMs)
        await sleep(RETRY_MS)
        continue
      }
      if (tried.code !== 1) throw new RemoteError(host.label, failureText(cmd, tried))
      holder = parseHolder(tried.stdout)
      if (holder.token === owner.token) {
        // This run holds it already, from an earlier stage (the root action's rollback): it stays this run's.
        const lock = new DeployLock(host, appDir, owner.token)
        await lock.ensureHeld('taking the deploy lock again')
        lock.scheduleBeat()
        host.info(`Deploy lock held by this run (${lockPath})`)
        return lock
      }
      if (holder.ageSeconds > STALE_AFTER_SECONDS && mayRetry()) {
        const takeOver = lockCommands.takeOver(appDir, holder.token, newLockToken())
        const moved = await host.run(takeOver, { quiet: true })
        if (moved.code === 0) {
          core.warning(
            `${host.label}: taking over a deploy lock not refreshed for ${holder.ageSeconds}s, left by ${describeOwner(holder.owner)} (a cancelled or killed run)`
          )
          continue
        }
        if (moved.code === 5) {
          throw cannotLock(
            host,
            `cannot move the stale deploy lock ${lockPath} aside to take it over`,
            moved,
            `it was left by ${describeOwner(holder.owner)}. Nothing was changed on this host`
          )
        }
        if (moved.code !== 3 && moved.code !== 4)
          throw new RemoteError(host.label, failureText(takeOver, moved))
        // Another deploy took it over first, or it was released: look again.
        await sleep(RETRY_MS)
        continue
      }
      if (Date.now() >= deadline) throw lockTimedOut(holder, timeoutMs)
      if (!announced)
        host.info(`Waiting for the deploy lock held by ${describeOwner(holder.owner)}`)
      announced = true
      await sleep(Math.min(POLL_MS, Math.max(RETRY_MS, deadline - Date.now())))
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

  /** The next heartbeat, one interval after the last one ended: a slow link never piles them up. */
  private scheduleBeat(): void {
    this.timer = setTimeout(() => void this.beat(), HEARTBEAT_MS)
    this.timer.unref()
  }

  private async beat(): Promise<void> {
    try {
      this.lostTo ??= await this.refresh()
    } catch {
      // the connection is gone; the deploy itself reports that
    }
    if (this.timer && !this.lostTo) this.scheduleBeat()
    else this.stopBeating()
  }

  private stopBeating(): void {
    if (this.timer) clearTimeout(this.timer)
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

  /** The lock stays held: the caller, which has its own connection, beats and frees it from now on. */
  handOver(): void {
    this.stopBeating()
  }

  async release(): Promise<void> {
    this.stopBeating()
    if (this.lostTo) return
    await this.host.run(lockCommands.release(this.appDir, this.token), { quiet: true })
  }
}

/**
 * The post step's wait for the work a killed main step left on the host
 * (its commands carry the run's tag, run-tag.ts): the script's lines reach the
 * log as they come, so a long wait shows its progress. After `seconds` the
 * script stops that work; a wait that cannot run costs a warning, and what
 * comes after it (freeing the lock, a host's way back) goes on as before.
 */
export async function waitForRunWork(
  host: HostContext,
  token: string,
  seconds: number
): Promise<void> {
  const lines = remoteLineLog(host.label + ': ')
  const warn = (why: string) =>
    core.warning(`${host.label}: could not check for this run's remote work (${why})`)
  try {
    // Inside the try: a token the command refuses costs the warning, not the lock's release.
    const cmd = lockCommands.waitForRunWork(token, seconds)
    const r = await host.transport.exec(cmd, {
      timeoutMs: (seconds + 30) * 1000,
      onStdout: text => lines.push(text)
    })
    if (r.code !== 0) warn(failureText(cmd, r))
  } catch (err) {
    warn(errorMessage(err))
  } finally {
    lines.flush()
  }
}
