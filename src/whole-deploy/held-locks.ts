import * as core from '@actions/core'
import { lockCommands, STALE_AFTER_SECONDS } from '../commands/lock.js'
import { fileCommands } from '../commands/files.js'
import { statePaths } from '../commands/state-paths.js'
import { ConnectionSettings } from '../core/connection-settings.js'
import { debugLine } from '../core/debug-log.js'
import { errorMessage } from '../core/errors.js'
import { Fleet, FleetMember } from '../core/fleet.js'
import type { RemoteCommand } from '../core/remote-command.js'
import { describeOwner, newLockToken, parseOwner } from '../ssh-deploy/lock.js'
import { readReleaseLog, ReleaseRecord } from '../ssh-deploy/release-log.js'

const HEARTBEAT_MS = 20_000

/** What happened to a host's lock while this run held it. */
interface Held {
  member: FleetMember
  /** Who holds it instead, once a heartbeat found this run does not. */
  lostTo?: string
}

/**
 * The deploy locks the root action holds from the first change to the end of
 * its smoke check and any rollback. ssh-deploy takes each one with this run's
 * token and hands it over; from then on these connections of its own refresh
 * it, write the release's verdict to the host's log under it, and free it
 * once the run is over.
 */
export class HeldLocks {
  readonly token = newLockToken()
  private readonly held = new Map<string, Held>()
  private readonly fleets: Fleet[] = []
  private timer?: NodeJS.Timeout
  private closed = false
  private beating?: Promise<void>

  constructor(
    private readonly connection: ConnectionSettings,
    private readonly appDir: string
  ) {}

  /** The hosts whose lock this run took, each connecting or connected. */
  private readonly connecting = new Map<string, Promise<void>>()

  /**
   * A stage took the lock on `host` with this run's token: a connection of
   * this run's own refreshes it from now on, also while that stage still
   * deploys other hosts and after it closed its connections.
   */
  taken(host: string): void {
    if (!this.connecting.has(host)) this.connecting.set(host, this.connect(host))
  }

  private async open(label: string): Promise<FleetMember[]> {
    const fleet = await Fleet.open({
      ...this.connection,
      targets: this.connection.targets.filter(t => t.address.label === label)
    })
    this.fleets.push(fleet)
    return fleet.members
  }

  private async connect(label: string): Promise<void> {
    for (const m of await this.open(label)) this.held.set(m.label, { member: m })
    this.scheduleBeat()
  }

  /**
   * Runs a lock command on a held host. A connection that dropped meanwhile
   * (a restarted sshd, a network break) is opened again, once, so the run can
   * still refresh, record under and free the lock it holds.
   */
  private async runOn(label: string, h: Held, command: RemoteCommand) {
    if (h.member.host) {
      try {
        return await h.member.host.run(command, { quiet: true })
      } catch (err) {
        core.debug(
          `${label}: the lock's connection failed (${errorMessage(err)}); connecting again`
        )
      }
    }
    const [again] = await this.open(label)
    if (!again?.host) throw new Error(again?.error ?? h.member.error ?? 'not connected')
    h.member = again
    return again.host.run(command, { quiet: true })
  }

  /** Runs a lock command on a held host; a non-zero exit is an error. */
  private async checkOn(label: string, h: Held, command: RemoteCommand): Promise<void> {
    const r = await this.runOn(label, h, command)
    if (r.code !== 0)
      throw new Error(`exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').pop() ?? ''}`)
  }

  /** Every lock taken so far is refreshed by this run's own connections (or said unreachable). */
  async hold(): Promise<void> {
    await Promise.all(this.connecting.values())
    await this.refresh()
  }

  /** The first host whose lock another deploy took over, and who holds it; undefined while every lock is this run's. */
  lost(): { host: string; holder: string } | undefined {
    for (const [host, h] of this.held) if (h.lostTo) return { host, holder: h.lostTo }
    return undefined
  }

  private async refresh(): Promise<void> {
    await Promise.all(
      [...this.held].map(async ([label, h]) => {
        if (h.lostTo) return
        const r = await this.runOn(label, h, lockCommands.heartbeat(this.appDir, this.token)).catch(
          () => undefined
        )
        if (r?.code === 3)
          h.lostTo = r.stdout.trim()
            ? describeOwner(parseOwner(r.stdout))
            : 'nobody (the lock was removed)'
      })
    )
  }

  private scheduleBeat(): void {
    if (this.timer || this.closed) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.beating = this.refresh().finally(() => this.scheduleBeat())
    }, HEARTBEAT_MS)
    this.timer.unref()
  }

  /**
   * Appends a record to the release log of each host named, while its lock
   * is still this run's; says where it could not.
   */
  async record(
    hosts: readonly string[],
    record: Partial<ReleaseRecord> & { id: string },
    unrecorded: string
  ): Promise<void> {
    await this.refresh()
    await Promise.all(
      hosts.map(async label => {
        const h = this.held.get(label)
        const problem = !h
          ? 'not connected'
          : h.lostTo
            ? `another deploy holds its lock now: ${h.lostTo}`
            : undefined
        try {
          if (problem || !h) throw new Error(problem)
          await this.checkOn(
            label,
            h,
            fileCommands.append(statePaths(this.appDir).log, JSON.stringify(record) + '\n')
          )
        } catch (err) {
          core.warning(
            `${label}: could not record release ${record.id} as ${record.status} (${errorMessage(err)}); ${unrecorded}`
          )
        }
      })
    )
  }

  /**
   * The release log of the first host whose lock this run holds, as the run
   * left it, read over the lock's own connection (never a new one: the
   * summary is not worth an error); undefined when there is none or it
   * cannot be read, and the summary leaves the history out.
   */
  async releaseLog(): Promise<{ host: string; records: ReleaseRecord[] } | undefined> {
    const label = this.connection.targets
      .map(t => t.address.label)
      .find(l => this.held.get(l)?.member.host && !this.held.get(l)!.lostTo)
    const host = label ? this.held.get(label)?.member.host : undefined
    if (!label || !host) return undefined
    try {
      const r = await host.run(fileCommands.read(statePaths(this.appDir).log), { quiet: true })
      if (r.code === 0) return { host: label, records: readReleaseLog(r.stdout).records }
      debugLine(
        `${label}: the release log was not read for the summary (exit ${r.code ?? r.signal})`
      )
    } catch (err) {
      debugLine(`${label}: the release log was not read for the summary: ${errorMessage(err)}`)
    }
    return undefined
  }

  /**
   * Frees every lock this run still holds, and closes the connections. A
   * lock that could not be freed is said, with when it is taken over.
   */
  async releaseAll(): Promise<{ released: string[]; left: string[] }> {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    await Promise.all(this.connecting.values())
    await this.beating
    const released: string[] = []
    const left: string[] = []
    await Promise.all(
      [...this.held].map(async ([label, h]) => {
        if (h.lostTo) return
        try {
          await this.checkOn(label, h, lockCommands.release(this.appDir, this.token))
          released.push(label)
        } catch (err) {
          left.push(label)
          core.warning(
            `${label}: could not release the deploy lock (${errorMessage(err)}); the post step tries again, ` +
              `and another deploy takes it over ${STALE_AFTER_SECONDS}s after its last heartbeat`
          )
        }
      })
    )
    await Promise.all(this.fleets.map(f => f.close()))
    return { released, left }
  }
}
