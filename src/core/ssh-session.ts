import * as core from '@actions/core'
import { NodeSSH } from 'node-ssh'
import type { Client, ClientChannel, ConnectConfig } from 'ssh2'
import type { Duplex } from 'node:stream'
import { Endpoint } from './connection-settings.js'
import { errorMessage, RemoteError } from './errors.js'
import { exitText, timed } from './debug-log.js'
import { describe, RemoteCommand, shellLaunch } from './remote-command.js'
import { quote } from './shell.js'
import { logRemote } from './log.js'
import { runTagExport } from './run-tag.js'

export interface ExecOptions {
  /** Overrides the session's command timeout; 0 = none. */
  timeoutMs?: number
  onStdout?: (chunk: string) => void
  onStderr?: (chunk: string) => void
}

export interface ExecResult {
  /** Exit code, or null when the command was killed by a signal or cut off. */
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
  timedOut: boolean
}

/** Everything that runs on a server goes through this interface. */
export interface Transport {
  readonly label: string
  exec(cmd: RemoteCommand, opts?: ExecOptions): Promise<ExecResult>
  /** Uploads a local file or directory (recursively, dotfiles included). */
  upload(localPath: string, remotePath: string): Promise<void>
  /** Copies a remote file to the runner over the same connection. */
  download?(remotePath: string, localPath: string): Promise<void>
  close(): Promise<void>
}

interface ExitStatus {
  code: number | null
  signal: string | null
}

export interface SessionOptions {
  connectTimeoutMs: number
  connectRetries: number
  commandTimeoutMs: number
  /** Waits between connection attempts; the n-th retry waits retryDelayMs × 2^(n-1). */
  retryDelayMs?: number
}

/** The first line a command prints: its process group id, so a timeout can stop the whole group. */
const PID_MARK = '\u001eDEPLOYKIT_PGID:'
const MAX_CAPTURE = 4 * 1024 * 1024
const KILL_GRACE_SECONDS = 5
const CLOSE_WAIT_MS = 10000

const RETRYABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE|Timed out while waiting for handshake|Connection lost before handshake|socket hang up/i

function wait(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

function appendCapped(buffer: string, chunk: string): string {
  const next = buffer + chunk
  return next.length > MAX_CAPTURE ? next.slice(next.length - MAX_CAPTURE) : next
}

async function connectOnce(endpoint: Endpoint, timeoutMs: number, sock?: Duplex): Promise<NodeSSH> {
  const { address, credentials, hostKey } = endpoint
  let refusal: string | null = null
  const config: ConnectConfig = {
    host: address.host,
    port: address.port,
    username: address.username,
    privateKey: credentials.privateKey,
    passphrase: credentials.passphrase,
    password: credentials.password,
    readyTimeout: timeoutMs,
    keepaliveInterval: 15000,
    keepaliveCountMax: 4,
    sock,
    hostVerifier: (key: Buffer) => {
      refusal = hostKey.check(key)
      return refusal === null
    }
  }
  if (hostKey.algorithms) config.algorithms = { serverHostKey: hostKey.algorithms as never }
  const ssh = new NodeSSH()
  try {
    const connecting = ssh.connect(config as Parameters<NodeSSH['connect']>[0])
    // node-ssh has made the client and its socket by now. The handshake's small packets
    // must not wait for the server's delayed ACK (Nagle): about 40 ms per round trip.
    ;(ssh.connection as Client | null)?.setNoDelay(true)
    await connecting
  } catch (err) {
    ssh.dispose()
    if (refusal)
      throw new RemoteError(address.label, `connection refused, nothing was run: ${refusal}`)
    const message = errorMessage(err)
    if (/All configured authentication methods failed/i.test(message)) {
      throw new RemoteError(
        address.label,
        `authentication failed for user ${address.username} (check key, passphrase or password)`
      )
    }
    if (/passphrase|Encrypted private/i.test(message)) {
      throw new RemoteError(
        address.label,
        `cannot use the private key: ${message} (check passphrase)`
      )
    }
    throw new RemoteError(address.label, `cannot connect: ${message.replace(/^Error: /, '')}`)
  }
  return ssh
}

async function connectWithRetries(
  endpoint: Endpoint,
  opts: SessionOptions,
  makeSock?: () => Promise<Duplex>
): Promise<NodeSSH> {
  const delay = opts.retryDelayMs ?? 2000
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectOnce(
        endpoint,
        opts.connectTimeoutMs,
        makeSock ? await makeSock() : undefined
      )
    } catch (err) {
      const message = errorMessage(err)
      if (attempt >= opts.connectRetries || !RETRYABLE.test(message)) throw err
      const pause = delay * 2 ** attempt
      // The message can hold the server's own words (an SSH disconnect reason).
      logRemote(
        `${message}; retrying in ${(pause / 1000).toFixed(1)}s (${attempt + 1}/${opts.connectRetries})`
      )
      await wait(pause)
    }
  }
}

function forwardThrough(proxy: NodeSSH, target: Endpoint): Promise<Duplex> {
  const client = proxy.connection as Client
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, target.address.host, target.address.port, (err, stream) => {
      if (err)
        reject(new RemoteError(target.address.label, `jump host cannot reach it: ${err.message}`))
      else resolve(stream)
    })
  })
}

/** An SSH connection to one server (possibly through a jump host). */
export class SshSession implements Transport {
  private closedReason: string | null = null

  private constructor(
    readonly label: string,
    private readonly ssh: NodeSSH,
    private readonly proxy: NodeSSH | undefined,
    private readonly opts: SessionOptions
  ) {
    const client = ssh.connection as Client
    client.on('close', () => {
      this.closedReason ??= 'the connection closed'
    })
    client.on('error', err => {
      this.closedReason = `the connection failed: ${err.message}`
    })
  }

  static async open(target: Endpoint, opts: SessionOptions, proxy?: Endpoint): Promise<SshSession> {
    let jump: NodeSSH | undefined
    if (proxy) jump = await connectWithRetries(proxy, opts)
    try {
      const ssh = await connectWithRetries(
        target,
        opts,
        jump ? () => forwardThrough(jump, target) : undefined
      )
      // Small command packets must not wait for the server's delayed ACK (Nagle).
      ;(ssh.connection as Client).setNoDelay(true)
      return new SshSession(target.address.label, ssh, jump, opts)
    } catch (err) {
      jump?.dispose()
      throw err
    }
  }

  /**
   * Starts a command. The exit status is captured in the exec callback
   * itself: it can arrive in the same packet read as the reply, before any
   * listener attached after an await would see it.
   */
  private openChannel(command: string): Promise<{ channel: ClientChannel; exit: ExitStatus }> {
    const client = this.ssh.connection as Client | null
    return new Promise((resolve, reject) => {
      if (!client || this.closedReason) {
        reject(
          new RemoteError(
            this.label,
            `cannot run a command: ${this.closedReason ?? 'not connected'}`
          )
        )
        return
      }
      client.exec(command, (err, channel) => {
        if (err) {
          reject(new RemoteError(this.label, `cannot start a command: ${err.message}`))
          return
        }
        const exit: ExitStatus = { code: null, signal: null }
        channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
          if (typeof exitCode === 'number') exit.code = exitCode
          if (exitSignal) exit.signal = exitSignal
        })
        resolve({ channel, exit })
      })
    })
  }

  /**
   * Every remote command passes here, so here each gets its debug line: the
   * host, the command as the log shows it (secret env values are ***, and
   * what goes on standard input is not shown), how it ended and how long it took.
   */
  async exec(cmd: RemoteCommand, opts: ExecOptions = {}): Promise<ExecResult> {
    // async: a command that cannot be described (a NUL in it) rejects like any failed command.
    return timed(`${this.label}: $ ${describe(cmd)}`, () => this.execCommand(cmd, opts), exitText)
  }

  private async execCommand(cmd: RemoteCommand, opts: ExecOptions): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? this.opts.commandTimeoutMs
    // `exec sh` makes the command's shell the session leader sshd created, so
    // its pid is the process group that a timeout kills as a whole.
    const launch = shellLaunch(cmd, { exec: true })
    // The run's tag goes first: everything the command starts inherits it (run-tag.ts).
    const script = `${cmd.untagged ? '' : runTagExport()}printf '%s%s\\n' ${quote(PID_MARK)} "$$"; ${launch.script}`
    const { channel, exit } = await this.openChannel(`exec sh -c ${quote(script)}`)

    return new Promise((resolve, reject) => {
      let stdout = ''
      let stderr = ''
      let head = ''
      let pgid: string | null = null
      let timedOut = false
      let timer: NodeJS.Timeout | undefined

      const onOut = (text: string): void => {
        stdout = appendCapped(stdout, text)
        opts.onStdout?.(text)
      }
      channel.on('data', (data: Buffer) => {
        if (pgid !== null) return onOut(data.toString('utf8'))
        head += data.toString('utf8')
        const newline = head.indexOf('\n')
        if (newline < 0) return
        const first = head.slice(0, newline)
        pgid = first.startsWith(PID_MARK) ? first.slice(PID_MARK.length) : ''
        const rest = first.startsWith(PID_MARK) ? head.slice(newline + 1) : head
        head = ''
        if (rest) onOut(rest)
      })
      channel.stderr.on('data', (data: Buffer) => {
        const text = data.toString('utf8')
        stderr = appendCapped(stderr, text)
        opts.onStderr?.(text)
      })
      channel.on('close', () => {
        if (timer) clearTimeout(timer)
        if (head && pgid === null) onOut(head)
        if (!timedOut && exit.code === null && exit.signal === null) {
          reject(
            new RemoteError(
              this.label,
              `the command was cut off before it finished (${this.closedReason ?? 'no exit status'}); it may have partly run on the server`
            )
          )
          return
        }
        resolve({ ...exit, stdout, stderr, timedOut })
      })

      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          timedOut = true
          this.killGroup(pgid)
            .catch(err =>
              core.warning(
                `${this.label}: could not stop the timed-out command, it may still run on the server: ${errorMessage(err)}`
              )
            )
            .finally(() => {
              channel.close()
              // sshd holds the channel open while anything still writes to it; do not wait for that forever.
              setTimeout(
                () => resolve({ ...exit, stdout, stderr, timedOut }),
                CLOSE_WAIT_MS
              ).unref()
            })
        }, timeoutMs)
      }
      if (launch.stdin !== undefined) channel.end(launch.stdin)
      else channel.end()
    })
  }

  /** Stops a whole remote process group: SIGTERM, then SIGKILL after a grace period. */
  private async killGroup(pgid: string | null): Promise<void> {
    if (!pgid || !/^\d+$/.test(pgid)) throw new Error('its process group is unknown')
    // dash and bash want `kill -s SIG -- -PGID`, busybox wants `kill -SIG -PGID`.
    const script =
      'k() { kill -s "$1" -- "-$2" 2>/dev/null || kill "-$1" "-$2" 2>/dev/null; }; ' +
      `k TERM ${pgid} || exit 0; i=0; ` +
      `while k 0 ${pgid} && [ $i -lt ${KILL_GRACE_SECONDS * 10} ]; do sleep 0.1; i=$((i+1)); done; ` +
      `k KILL ${pgid}; exit 0`
    const { channel } = await this.openChannel(`sh -c ${quote(script)}`)
    await new Promise<void>(resolve => {
      channel.on('close', () => resolve())
      channel.resume()
      channel.end()
    })
  }

  upload(localPath: string, remotePath: string): Promise<void> {
    return timed(`${this.label}: upload ${localPath} to ${remotePath}`, () =>
      this.uploadPath(localPath, remotePath)
    )
  }

  private async uploadPath(localPath: string, remotePath: string): Promise<void> {
    const { statSync } = await import('node:fs')
    if (statSync(localPath).isDirectory()) {
      const failed: string[] = []
      const ok = await this.ssh.putDirectory(localPath, remotePath, {
        recursive: true,
        concurrency: 8,
        validate: () => true,
        tick: (local, _remote, error) => {
          if (error) failed.push(`${local}: ${error.message}`)
        }
      })
      if (!ok || failed.length > 0) {
        throw new RemoteError(
          this.label,
          `upload of ${localPath} to ${remotePath} failed for ${failed.length} file(s): ${failed.slice(0, 5).join('; ')}`
        )
      }
    } else {
      try {
        await this.ssh.putFile(localPath, remotePath)
      } catch (err) {
        throw new RemoteError(
          this.label,
          `upload of ${localPath} to ${remotePath} failed: ${errorMessage(err)}`
        )
      }
    }
  }

  download(remotePath: string, localPath: string): Promise<void> {
    return timed(`${this.label}: download ${remotePath} to ${localPath}`, () =>
      this.downloadPath(remotePath, localPath)
    )
  }

  private async downloadPath(remotePath: string, localPath: string): Promise<void> {
    try {
      await this.ssh.getFile(localPath, remotePath)
    } catch (err) {
      throw new RemoteError(
        this.label,
        `download of ${remotePath} to ${localPath} failed: ${errorMessage(err)}`
      )
    }
  }

  async close(): Promise<void> {
    this.closedReason = 'the session was closed'
    this.ssh.dispose()
    this.proxy?.dispose()
  }
}
