import { ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './ports.js'

/** A real OpenSSH server on a loopback address, with its own config, host key and log. */
export interface SshServer {
  address: string
  port: number
  pid: number
  /** `[address]:port ssh-ed25519 AAAA…` as ssh-keyscan prints it. */
  knownHostsLine: string
  /** `SHA256:…` as ssh-keygen -lf prints it. */
  fingerprint: string
  dir: string
  logFile: string
  stop(): Promise<void>
}

export const SSHD = '/usr/sbin/sshd'

function waitForPort(
  address: string,
  port: number,
  child: ChildProcess,
  logFile: string
): Promise<void> {
  const deadline = Date.now() + 10000
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) {
        reject(
          new Error(
            `sshd exited with ${child.exitCode}: ${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`
          )
        )
        return
      }
      const socket = connect(port, address)
      socket.once('connect', () => {
        socket.destroy()
        resolve()
      })
      socket.once('error', () => {
        socket.destroy()
        if (Date.now() > deadline) reject(new Error(`sshd on ${address}:${port} did not start`))
        else setTimeout(attempt, 50)
      })
    }
    attempt()
  })
}

function stopPid(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise(resolve => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/**
 * Pids of the per-connection sshd processes our server forked, read from
 * /proc, so a test can cut live connections without touching other sshd.
 */
export function childPids(pid: number): number[] {
  const out: number[] = []
  for (const entry of execFileSync('ls', ['/proc']).toString().split('\n')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) out.push(Number(entry))
    } catch {
      // the process ended while we looked
    }
  }
  return out
}

export async function startSshd(opts: {
  address: string
  authorizedKeys: string[]
  /** sshd keeps the first value it reads for a keyword, so these win over the defaults below. */
  extraConfig?: string[]
  /** `Match` blocks, which must come last: every line after a Match belongs to it. */
  matchConfig?: string[]
  port?: number
  /** An argv that starts sshd after it, e.g. withoutDockerPlugins().launcher. */
  launcher?: readonly string[]
  /** Where its config, keys and log go; one the launcher's sshd can read (default: the temp dir). */
  parentDir?: string
}): Promise<SshServer> {
  mkdirSync('/run/sshd', { recursive: true })
  const dir = mkdtempSync(join(opts.parentDir ?? tmpdir(), 'deploykit-sshd-'))
  const port = opts.port ?? (await freePort(opts.address))
  const hostKey = join(dir, 'host_ed25519')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey])
  writeFileSync(join(dir, 'authorized_keys'), opts.authorizedKeys.join('\n') + '\n', {
    mode: 0o600
  })
  const logFile = join(dir, 'sshd.log')
  const config = join(dir, 'sshd_config')
  writeFileSync(
    config,
    [
      ...(opts.extraConfig ?? []),
      `Port ${port}`,
      `ListenAddress ${opts.address}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding yes',
      'Subsystem sftp internal-sftp',
      'MaxStartups 100',
      'MaxSessions 50',
      'LogLevel VERBOSE',
      ...(opts.matchConfig ?? [])
    ].join('\n') + '\n'
  )
  // The launcher execs in place, so the pid is sshd's own.
  const [cmd, ...args] = [...(opts.launcher ?? []), SSHD, '-D', '-f', config, '-E', logFile]
  const child = spawn(cmd, args, { stdio: 'ignore' })
  await waitForPort(opts.address, port, child, logFile)
  const pub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/)
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`])
    .toString()
    .split(/\s+/)[1]
  return {
    address: opts.address,
    port,
    pid: child.pid as number,
    knownHostsLine: `[${opts.address}]:${port} ${pub[0]} ${pub[1]}`,
    fingerprint,
    dir,
    logFile,
    async stop() {
      for (const pid of childPids(child.pid as number)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
      await stopPid(child)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
