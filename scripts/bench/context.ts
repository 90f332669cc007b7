// What every benchmark shares: the testbed servers and the account deploys
// log in as, app directories, timing of a bundled action run, and cleanup of
// everything it made.
import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { ActionRun, runAction } from '../../testbed/action-runner.js'
import { removeComposeProject } from '../../testbed/apps.js'
import { FleetHosts, startFleetHosts } from '../../testbed/fleet-hosts.js'
import { startSshHosts, SshHosts } from '../../testbed/ssh-hosts.js'
import { SshServer } from '../../testbed/sshd.js'

/**
 * Deploys log in as this user, in the docker group, whose login shell is
 * /bin/sh as on a typical server. Root here runs `pyenv init` from .bashrc
 * for every command, which would be measured as if it were deploy-kit's cost.
 */
export const BENCH_USER = 'deploykit-bench'

function userIds(): { uid: number; gid: number } | undefined {
  try {
    const [uid, gid] = ['-u', '-g'].map(flag =>
      Number(execFileSync('id', [flag, BENCH_USER], { encoding: 'utf8', stdio: 'pipe' }))
    )
    return { uid, gid }
  } catch {
    return undefined
  }
}

export class BenchContext {
  readonly servers = mkdtempSync(join(tmpdir(), 'deploykit-bench-'))
  private readonly projects: string[] = []
  private readonly hostGroups: SshHosts[] = []
  private userCreated = false
  private ids = { uid: 0, gid: 0 }

  /** Creates the bench user unless it exists (and removes it at the end if it did not). */
  prepareUser(): void {
    if (!userIds()) {
      execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', '-G', 'docker', BENCH_USER])
      this.userCreated = true
    }
    // A user without a password is locked, and sshd refuses a locked account even with a key.
    execFileSync('usermod', ['-p', '*', '-aG', 'docker', BENCH_USER])
    this.ids = userIds() as { uid: number; gid: number }
    chmodSync(this.servers, 0o755)
  }

  /** sshd servers on 127.0.0.2… that let the bench user in with the shared key. */
  async hosts(count: number, extraConfig: string[] = []): Promise<SshHosts> {
    const hosts = await startSshHosts(count, { extraConfig })
    this.hostGroups.push(hosts)
    // sshd reads authorized_keys as the user logging in; the testbed keeps it root's only.
    for (const s of hosts.servers) {
      chmodSync(s.dir, 0o755)
      chmodSync(join(s.dir, 'authorized_keys'), 0o644)
    }
    return hosts
  }

  /** Hosts with their own namespace, engine and disk (testbed/fleet-hosts.ts), stopped at cleanup. */
  async fleet(count: number, opts: Parameters<typeof startFleetHosts>[1]): Promise<FleetHosts> {
    const fleet = await startFleetHosts(count, opts)
    this.hostGroups.push(fleet)
    return fleet
  }

  /** Stops hosts before the end, so the next ones do not run beside them. */
  async stopHosts(hosts: SshHosts): Promise<void> {
    this.hostGroups.splice(this.hostGroups.indexOf(hosts), 1)
    await hosts.stop()
  }

  /** A directory the bench user owns. */
  dir(name: string): string {
    const dir = join(this.servers, name)
    mkdirSync(dir, { recursive: true })
    chownSync(dir, this.ids.uid, this.ids.gid)
    return dir
  }

  project(name: string): string {
    const project = `dkbench${name}${process.pid % 10000}`
    this.projects.push(project)
    return project
  }

  async cleanup(): Promise<void> {
    for (const p of this.projects.splice(0)) await removeComposeProject(p)
    for (const h of this.hostGroups.splice(0)) await h.stop()
    rmSync(this.servers, { recursive: true, force: true })
    if (this.userCreated) execFileSync('userdel', ['--remove', BENCH_USER], { stdio: 'ignore' })
    this.userCreated = false
  }
}

export function connectionInputs(
  hosts: SshHosts,
  n = 1,
  user = BENCH_USER
): Record<string, string> {
  return {
    host: hosts.hostInput(n).replace(/^root@/gm, `${user}@`),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'connect-retries': '0'
  }
}

/**
 * OpenSSH's client running `command` on `server` with the hosts' key, checking
 * its host key against `knownHostsFile`; `-F /dev/null` leaves the machine's
 * ssh_config (GSSAPI, SendEnv) out of the baseline.
 */
export function opensshArgs(
  hosts: SshHosts,
  server: SshServer,
  user: string,
  knownHostsFile: string,
  command: string
): string[] {
  return [
    '-F',
    '/dev/null',
    '-T',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHostsFile}`,
    '-i',
    hosts.key.path,
    '-p',
    String(server.port),
    `${user}@${server.address}`,
    command
  ]
}

/** Runs dist/ssh-deploy under Node 24 and measures its wall time, process start to exit. */
export async function timedDeploy(
  inputs: Record<string, string>
): Promise<{ run: ActionRun; ms: number }> {
  const started = performance.now()
  const run = await runAction('ssh-deploy', inputs)
  return { run, ms: performance.now() - started }
}

/** Wall times of the runs that succeeded, and what the others failed with. */
export class Runs {
  readonly ms: number[] = []
  readonly failures: string[] = []

  add(run: ActionRun, ms: number): void {
    if (run.code === 0) this.ms.push(ms)
    else this.failures.push(firstError(run.output))
  }

  get count(): number {
    return this.ms.length + this.failures.length
  }
}

export function firstError(output: string): string {
  return (/^::error::(.*)$/m.exec(output)?.[1] ?? `exit without an error line`).slice(0, 300)
}

/**
 * An untimed deploy that prepares a measurement, tried up to three times:
 * a fast command can be reported as cut off (see BENCHMARKS.md), which must
 * not stop the figures that do not depend on it.
 */
export async function prepare(
  what: string,
  inputs: Record<string, string>,
  before: () => void = () => {}
): Promise<void> {
  let last = ''
  for (let attempt = 1; attempt <= 3; attempt++) {
    before()
    const { run } = await timedDeploy(inputs)
    if (run.code === 0) return
    last = run.output
    progress(`${what} failed (attempt ${attempt} of 3): ${firstError(run.output)}`)
  }
  throw new Error(`${what} failed three times:\n${last}`)
}

export function mustSucceed(what: string, run: ActionRun): void {
  if (run.code !== 0) throw new Error(`${what} failed (${run.code}):\n${run.output}`)
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`)
}
