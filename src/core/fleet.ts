import * as core from '@actions/core'
import { ConnectionSettings } from './connection-settings.js'
import { errorMessage, RemoteError } from './errors.js'
import { logRemote, remoteLineLog } from './log.js'
import { describe, RemoteCommand } from './remote-command.js'
import { ExecOptions, ExecResult, SshSession, Transport } from './ssh-session.js'

/** One server's view during a run: its transport and a log that names it when several run at once. */
export class HostContext {
  constructor(
    readonly transport: Transport,
    private readonly prefix: string
  ) {}

  get label(): string {
    return this.transport.label
  }

  /** Logs a line about this host as data: it may hold names and values read from the server. */
  info(line: string): void {
    logRemote(line, this.prefix)
  }

  /** Runs a command, streaming its output into the log. Does not throw on a non-zero exit. */
  async run(
    cmd: RemoteCommand,
    opts: Pick<ExecOptions, 'timeoutMs'> & { quiet?: boolean } = {}
  ): Promise<ExecResult> {
    if (!opts.quiet) this.info(`$ ${describe(cmd)}`)
    const out = remoteLineLog(this.prefix)
    const err = remoteLineLog(this.prefix)
    try {
      return await this.transport.exec(cmd, {
        timeoutMs: opts.timeoutMs,
        onStdout: opts.quiet ? undefined : c => out.push(c),
        onStderr: opts.quiet ? undefined : c => err.push(c)
      })
    } finally {
      out.flush()
      err.flush()
    }
  }

  /** Runs a command and throws, naming the host and the command, unless it exits 0. */
  async check(
    cmd: RemoteCommand,
    opts: Pick<ExecOptions, 'timeoutMs'> & { quiet?: boolean } = {}
  ): Promise<ExecResult> {
    const result = await this.run(cmd, opts)
    if (result.code !== 0) throw new RemoteError(this.label, failureText(cmd, result))
    return result
  }
}

export function failureText(cmd: RemoteCommand, r: ExecResult): string {
  const what = `\`${describe(cmd)}\``
  const tail = r.stderr.trim().split('\n').slice(-5).join('\n')
  const detail = tail ? `: ${tail}` : ''
  if (r.timedOut) return `${what} timed out and was stopped${detail}`
  if (r.signal) return `${what} was killed by signal ${r.signal}${detail}`
  return `${what} exited with code ${r.code}${detail}`
}

export interface HostOutcome<T> {
  host: string
  ok: boolean
  value?: T
  error?: string
  /** Not started: a host before it failed, and the run stops after a failure. */
  skipped?: true
}

/** Maps with at most `limit` calls in flight, keeping the order of `items`. */
export async function mapLimited<I, O>(
  items: readonly I[],
  limit: number,
  fn: (item: I) => Promise<O>
): Promise<O[]> {
  const results = new Array<O>(items.length)
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index])
    }
  })
  await Promise.all(workers)
  return results
}

function openTarget(
  settings: ConnectionSettings,
  target: ConnectionSettings['targets'][number],
  openSession: typeof SshSession.open
): Promise<SshSession> {
  return openSession(
    target,
    {
      connectTimeoutMs: settings.connectTimeoutMs,
      connectRetries: settings.connectRetries,
      commandTimeoutMs: settings.commandTimeoutMs
    },
    settings.proxy
  )
}

function failed(label: string, err: unknown): HostOutcome<never> {
  const message = errorMessage(err)
  core.error(message.startsWith(label) ? message : `${label}: ${message}`)
  return { host: label, ok: false, error: message }
}

/**
 * Connects to every target (at most max-parallel at once) and runs `work` on
 * each. A host that fails does not stop the others; each outcome is reported.
 */
export async function forEachHost<T>(
  settings: ConnectionSettings,
  work: (host: HostContext) => Promise<T>,
  openSession: typeof SshSession.open = SshSession.open.bind(SshSession)
): Promise<HostOutcome<T>[]> {
  const several = settings.targets.length > 1
  return mapLimited(settings.targets, settings.maxParallel, async target => {
    const label = target.address.label
    let session: SshSession | undefined
    try {
      session = await openTarget(settings, target, openSession)
      const value = await work(new HostContext(session, several ? `[${label}] ` : ''))
      return { host: label, ok: true, value }
    } catch (err) {
      return failed(label, err)
    } finally {
      await session?.close()
    }
  })
}

/** A host of the run: connected, or why it could not be. */
export interface FleetMember {
  label: string
  host?: HostContext
  /** Why the host could not be connected to. */
  error?: string
}

/**
 * Every host of a run, each connected once for all the stages of the run
 * (the checks before any change, the deploy, the way back), so that a stage
 * does not pay the connection again.
 */
export class Fleet {
  private constructor(
    readonly members: FleetMember[],
    private readonly sessions: SshSession[],
    private readonly maxParallel: number
  ) {}

  /** Connects to every target, at most max-parallel at once; a host that cannot be reached says why. */
  static async open(
    settings: ConnectionSettings,
    openSession: typeof SshSession.open = SshSession.open.bind(SshSession)
  ): Promise<Fleet> {
    const several = settings.targets.length > 1
    const sessions: SshSession[] = []
    const members = await mapLimited(settings.targets, settings.maxParallel, async target => {
      const label = target.address.label
      try {
        const session = await openTarget(settings, target, openSession)
        sessions.push(session)
        return { label, host: new HostContext(session, several ? `[${label}] ` : '') }
      } catch (err) {
        return { label, error: failed(label, err).error }
      }
    })
    return new Fleet(members, sessions, settings.maxParallel)
  }

  /**
   * Runs `work` on each of `members`, at most max-parallel at once, in their
   * order. With `stopAfterFailure`, once one fails no further one starts: its
   * outcome is `skipped`.
   */
  async each<T>(
    members: readonly FleetMember[],
    work: (host: HostContext) => Promise<T>,
    opts: { stopAfterFailure?: boolean } = {}
  ): Promise<HostOutcome<T>[]> {
    let stop = false
    return mapLimited(members, this.maxParallel, async member => {
      if (stop) return { host: member.label, ok: false, skipped: true }
      if (!member.host) {
        if (opts.stopAfterFailure) stop = true
        return { host: member.label, ok: false, error: member.error }
      }
      try {
        return { host: member.label, ok: true, value: await work(member.host) }
      } catch (err) {
        if (opts.stopAfterFailure) stop = true
        return failed(member.label, err)
      }
    })
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map(s => s.close()))
  }
}
