import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import type { HostContext } from '../core/fleet.js'
import { RemoteCommand } from '../core/remote-command.js'
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

/** mkdir is atomic: exactly one of two concurrent deploys creates the lock directory. */
export const lockCommands = {
  create: (appDir: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'mkdir -p -- "$1" && mkdir -- "$2" 2>/dev/null',
      'sh',
      statePaths(appDir).dir,
      statePaths(appDir).lock
    ]
  }),
  writeOwner: (appDir: string, owner: LockOwner): RemoteCommand => ({
    argv: ['sh', '-c', 'umask 077; cat > "$1"', 'sh', statePaths(appDir).lockOwner],
    stdin: JSON.stringify(owner) + '\n'
  }),
  /** Prints the owner file, then its age in seconds (or the lock directory's when the owner is not written yet). */
  inspect: (appDir: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'cat "$2" 2>/dev/null; echo; t=$(stat -c %Y "$2" 2>/dev/null || stat -c %Y "$1" 2>/dev/null) || exit 3; echo "$(( $(date +%s) - t ))"',
      'sh',
      statePaths(appDir).lock,
      statePaths(appDir).lockOwner
    ]
  }),
  /** Moves a stale lock aside; rename is atomic, so only one taker wins. */
  takeOver: (appDir: string, stamp: string): RemoteCommand => ({
    argv: ['mv', '--', statePaths(appDir).lock, `${statePaths(appDir).lock}.stale-${stamp}`]
  }),
  heartbeat: (appDir: string, token: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'grep -qF -- "$2" "$1" && touch -- "$1"',
      'sh',
      statePaths(appDir).lockOwner,
      token
    ]
  }),
  /** Removes the lock only when this run still owns it. */
  release: (appDir: string, token: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'grep -qF -- "$3" "$2" 2>/dev/null && rm -rf -- "$1"; exit 0',
      'sh',
      statePaths(appDir).lock,
      statePaths(appDir).lockOwner,
      token
    ]
  })
}

function describeOwner(owner: Partial<LockOwner> | undefined): string {
  if (!owner?.runKey) return 'an unknown deploy'
  return `${owner.runUrl || owner.runKey} (release ${owner.release ?? '?'}, since ${owner.since ?? '?'})`
}

function parseInspect(stdout: string): { owner?: Partial<LockOwner>; ageSeconds: number } {
  const lines = stdout.trim().split('\n')
  const ageSeconds = Number(lines.pop())
  let owner: Partial<LockOwner> | undefined
  try {
    owner = JSON.parse(lines.join('\n')) as Partial<LockOwner>
  } catch {
    owner = undefined
  }
  return { owner, ageSeconds }
}

/** The deploy lock on one host, held while this run changes the app. */
export class DeployLock {
  private timer?: NodeJS.Timeout

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
    for (;;) {
      const created = await host.run(lockCommands.create(appDir), { quiet: true })
      if (created.code === 0) {
        await host.check(lockCommands.writeOwner(appDir, owner), { quiet: true })
        const lock = new DeployLock(host, appDir, owner.token)
        lock.timer = setInterval(() => void lock.beat(), HEARTBEAT_MS)
        lock.timer.unref()
        host.info(`Deploy lock taken (${statePaths(appDir).lock})`)
        return lock
      }
      const seen = await host.run(lockCommands.inspect(appDir), { quiet: true })
      if (seen.code !== 0) continue // released between our mkdir and the look: try again at once
      const { owner: holder, ageSeconds } = parseInspect(seen.stdout)
      if (ageSeconds > STALE_AFTER_SECONDS) {
        core.warning(
          `${host.label}: taking over a deploy lock not refreshed for ${ageSeconds}s, left by ${describeOwner(holder)} (a cancelled or killed run)`
        )
        await host.run(lockCommands.takeOver(appDir, `${Date.now()}`), { quiet: true })
        continue
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `the app is locked by another deploy: ${describeOwner(holder)}. Waited ${Math.round(timeoutMs / 1000)}s (lock-timeout); ` +
            `if that run is gone, the lock is taken over ${STALE_AFTER_SECONDS}s after its last heartbeat`
        )
      }
      if (!announced) host.info(`Waiting for the deploy lock held by ${describeOwner(holder)}`)
      announced = true
      await new Promise(resolve => setTimeout(resolve, POLL_MS))
    }
  }

  private async beat(): Promise<void> {
    try {
      await this.host.run(lockCommands.heartbeat(this.appDir, this.token), { quiet: true })
    } catch {
      // the connection is gone; the deploy itself reports that
    }
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    await this.host.run(lockCommands.release(this.appDir, this.token), { quiet: true })
  }
}
