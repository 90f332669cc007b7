import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { failureText, type HostContext } from '../core/fleet.js'
import { RemoteError } from '../core/errors.js'
import { RemoteCommand } from '../core/remote-command.js'
import { shownValue } from './env-values.js'
import { statePaths } from './state-paths.js'

/** A lock whose owner has not refreshed it for this long was left by a killed run. */
export const STALE_AFTER_SECONDS = 90
const HEARTBEAT_MS = 20_000
const POLL_MS = 2_000

export interface LockOwner {
  token: string
  runKey: string
  runUrl: string
  release: string
  since: string
}

export function newLockToken(): string {
  return randomBytes(12).toString('hex')
}

/** How the owner file names its token; grep looks for exactly this text. */
function tokenField(token: string): string {
  return JSON.stringify({ token }).slice(1, -1)
}

// Shell fragments shared by the lock scripts. $L is the lock directory.
/** The token in the owner file of directory $1 (empty when there is none), as the shell sees it. */
const TOKEN_IN = `token_in() { sed -n 's/.*"token":"\\([^"]*\\)".*/\\1/p' "$1/owner.json" 2>/dev/null | head -n 1; }`
/** Seconds since the owner of directory $1 refreshed it (or since the directory was made, before the owner is written). */
const AGE_OF = `age_of() { t=$(stat -c %Y "$1/owner.json" 2>/dev/null || stat -c %Y "$1" 2>/dev/null) || return 1; echo $(( $(date +%s) - t )); }`
/** Prints what holds $L: its age, its token, then its owner file; exit 3 when there is no lock. */
const DESCRIBE =
  'age=$(age_of "$L") || exit 3; echo "$age"; echo "$(token_in "$L")"; cat "$L/owner.json" 2>/dev/null'

/**
 * The lock is a directory: mkdir is atomic, so exactly one of two deploys
 * creates it. Taking over a stale one is a compare-and-swap: rename it
 * aside (atomic too, so only one taker moves it), keep it only if it is
 * the stale lock that taker saw, otherwise put it back.
 */
export const lockCommands = {
  /**
   * Creates the lock with its owner in one step, or prints what holds it.
   * The owner file is written only if none is there (`set -C`): a lock put
   * back by a taker that moved the wrong one keeps its owner.
   */
  acquire: (appDir: string, owner: LockOwner): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      `umask 077; L=$2; ${TOKEN_IN}; ${AGE_OF}; mkdir -p -- "$1" || exit 4; ` +
        `if mkdir -- "$L" 2>/dev/null && (set -C; cat > "$L/owner.json") 2>/dev/null; then exit 0; fi; ` +
        `${DESCRIBE}; exit 1`,
      'sh',
      statePaths(appDir).dir,
      statePaths(appDir).lock
    ],
    stdin: JSON.stringify(owner) + '\n'
  }),
  /**
   * Frees a stale lock: exit 0 once it is gone, 3 when it had gone already,
   * 4 when it was not the one seen (another deploy holds it now) and is back.
   */
  takeOver: (appDir: string, seenToken: string, aside: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      `L=$1; A=$2; ${TOKEN_IN}; ${AGE_OF}; ` +
        'mv -T -- "$L" "$A" 2>/dev/null || exit 3; ' +
        'if [ "$(token_in "$A")" = "$3" ] && [ "$(age_of "$A")" -gt "$4" ]; then rm -rf -- "$A"; exit 0; fi; ' +
        // A lock made in the meantime stays; the one moved by mistake is then gone and its holder stops at its next check.
        'mv -T -- "$A" "$L" 2>/dev/null || rm -rf -- "$A"; exit 4',
      'sh',
      statePaths(appDir).lock,
      `${statePaths(appDir).lock}.stale-${aside}`,
      seenToken,
      String(STALE_AFTER_SECONDS)
    ]
  }),
  /** Refreshes the lock if this run still owns it; otherwise prints the owner file (if any) and exits 3. */
  heartbeat: (appDir: string, token: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'if grep -qF -- "$2" "$1" 2>/dev/null; then touch -c -- "$1"; exit 0; fi; cat -- "$1" 2>/dev/null; exit 3',
      'sh',
      statePaths(appDir).lockOwner,
      tokenField(token)
    ]
  }),
  /** Removes the lock only when this run still owns it, moving it aside first so another's lock is never removed. */
  release: (appDir: string, token: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'grep -qF -- "$3" "$1/owner.json" 2>/dev/null || exit 0; mv -T -- "$1" "$2" 2>/dev/null || exit 0; ' +
        'if grep -qF -- "$3" "$2/owner.json" 2>/dev/null; then rm -rf -- "$2"; exit 0; fi; ' +
        'mv -T -- "$2" "$1" 2>/dev/null || rm -rf -- "$2"; exit 0',
      'sh',
      statePaths(appDir).lock,
      `${statePaths(appDir).lock}.released-${token}`,
      tokenField(token)
    ]
  })
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
