import type { Client } from 'ssh2'
import { HostContext } from '../../../src/core/fleet.js'
import type { RemoteCommand } from '../../../src/core/remote-command.js'
import { ExecResult, SshSession, Transport } from '../../../src/core/ssh-session.js'

/**
 * The exact text SshSession.exec hands to ssh2's `exec` for a command, taken
 * from the real method: the session is given, in place of its connection, an
 * object whose `exec` keeps the text and refuses to start anything. A command
 * the transport refuses to send comes back as `refused`.
 */
export async function execString(
  cmd: RemoteCommand
): Promise<{ text: string } | { refused: string }> {
  let sent: string | undefined
  const connection: Pick<Client, 'exec'> = {
    exec: ((command: string, callback: (err: Error | undefined) => void) => {
      sent = command
      callback(new Error('kept, not sent'))
    }) as Client['exec']
  }
  const session = Object.create(SshSession.prototype) as SshSession
  Object.assign(session, {
    label: 'capture',
    ssh: { connection },
    opts: { connectTimeoutMs: 0, connectRetries: 0, commandTimeoutMs: 0 }
  })
  try {
    await session.exec(cmd)
  } catch (err) {
    if (sent === undefined) return { refused: (err as Error).message }
  }
  if (sent === undefined) throw new Error('SshSession.exec neither sent nor refused the command')
  return { text: sent }
}

export type Responder = (cmd: RemoteCommand) => Partial<ExecResult> | undefined

/**
 * A transport that keeps every command deploy-kit's orchestrating functions
 * (keepImages, DeployLock, placeProbe, …) send and answers from `respond`
 * (exit 0 and no output unless it says otherwise), so the commands they build
 * inline can be run for real afterwards.
 */
export class KeepingTransport implements Transport {
  readonly label = 'keeping'
  readonly sent: RemoteCommand[] = []

  constructor(private readonly respond: Responder = () => undefined) {}

  async exec(cmd: RemoteCommand): Promise<ExecResult> {
    this.sent.push(cmd)
    return {
      code: 0,
      signal: null,
      stdout: '',
      stderr: '',
      timedOut: false,
      ...(this.respond(cmd) ?? {})
    }
  }

  async upload(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Runs `work` against a KeepingTransport with the log silenced; returns what it sent (also when it threw). */
export async function commandsSentBy(
  work: (host: HostContext) => Promise<unknown>,
  respond?: Responder
): Promise<RemoteCommand[]> {
  const transport = new KeepingTransport(respond)
  const write = process.stdout.write
  process.stdout.write = (() => true) as typeof process.stdout.write
  try {
    await work(new HostContext(transport, ''))
  } catch {
    // a refusal or a scripted failure: what was sent up to there is what counts
  } finally {
    process.stdout.write = write
  }
  return transport.sent
}
