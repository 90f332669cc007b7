// A host's own disk. Every host shares this machine's filesystem, so each one
// gets a private mount namespace in which a directory of its own is mounted
// over the places a deploy writes: /srv (the parent of the fleet tests' app
// dirs), /root (the deploy user's home: known_hosts, git and docker config),
// /tmp and /run (the host's docker.sock, its engine's exec-root, sshd's
// privilege-separation dir). The host's sshd and dockerd both run in that
// namespace, so what an SSH session writes is what Compose bind-mounts and
// what `git` checks out, and the plain `docker` CLI in a session reaches
// /run/docker.sock, which is that host's engine. /etc, /usr, /home, /opt and
// /var stay the machine's, shared by all hosts: installed programs and users.
//
// The namespace is kept alive by a holder process (`sleep`) rather than by a
// bind mount of /proc/PID/ns/mnt, which would need a mount in the root
// namespace (made private first) to hold it; the holder is recorded by pid and
// nothing is mounted on the runner's side. Propagation is private, so the
// host's mounts, and its engine's overlay mounts, never appear in the root
// namespace, and the root namespace's later mounts never appear in the host.
import { ChildProcess, spawn } from 'node:child_process'
import { chmodSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { run, RunOptions, RunResult } from './run.js'

/** Mounted over, per host; /run last, as the script below creates nothing under it. */
export const PRIVATE_DIRS = ['/srv', '/root', '/tmp', '/run'] as const

// `$1` is the host's disk. The main engine's own mounts (its data root's
// overlays, its netns files) are detached from the copy this namespace starts
// with, so that this namespace never holds them busy.
const SETUP_AND_HOLD = [
  'disk=$1',
  'for mp in $(awk \'$2 ~ "^/(var/lib/docker|run/docker)/" { print $2 }\' /proc/self/mounts | sort -r); do umount -l "$mp" 2>/dev/null; done',
  ...PRIVATE_DIRS.map(dir => `mount --bind "$disk${dir}" ${dir} || exit 97`),
  'echo ready',
  'exec sleep infinity'
].join('\n')

export interface HostMounts {
  /** The host's private directories as the runner sees them: `<disk>/srv` is the host's /srv. */
  disk: string
  /** The holder's pid; `nsenter --target <pid> --mount --net` enters the host. */
  pid: number
  /** `mnt:[inode]`, how /proc names the namespace: the id every process in it shares. */
  mountNamespace: string
  /** An argv prefix that runs a command inside the host (its mounts and its network). */
  launcher: string[]
  exec(argv: string[], opts?: RunOptions): Promise<RunResult>
  /** Pids of every process in the host's mount namespace, the holder included. */
  pids(): number[]
  /** Kills every process left in the namespace (the holder last), which ends it. */
  remove(): Promise<void>
}

export async function createHostMounts(opts: {
  networkNamespace: string
  disk: string
}): Promise<HostMounts> {
  for (const dir of PRIVATE_DIRS) mkdirSync(join(opts.disk, dir), { recursive: true })
  chmodSync(join(opts.disk, 'tmp'), 0o1777)
  mkdirSync(join(opts.disk, 'run', 'sshd'), { recursive: true })
  chmodSync(join(opts.disk, 'root'), 0o700)

  // `ip netns exec` would remount /sys for the namespace, after which dockerd finds no devices
  // cgroup; nsenter joins the network namespace and leaves /sys as it is.
  const holder = spawn(
    'nsenter',
    [
      `--net=/var/run/netns/${opts.networkNamespace}`,
      '--',
      'unshare',
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      SETUP_AND_HOLD,
      'sh',
      opts.disk
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  const pid = holder.pid
  if (pid === undefined) throw new Error('could not start nsenter')
  // nsenter and unshare exec in place (no --fork), so the holder keeps the pid spawn returned.
  try {
    await readyLine(holder)
  } catch (err) {
    await killAndWait(holder)
    throw err
  }
  const mountNamespace = readlinkSync(`/proc/${pid}/ns/mnt`)
  if (mountNamespace === readlinkSync('/proc/self/ns/mnt')) {
    await killAndWait(holder)
    throw new Error('the host did not get a mount namespace of its own')
  }
  const launcher = ['nsenter', `--target=${pid}`, '--mount', '--net', '--']
  const pids = () => processesIn(mountNamespace)
  return {
    disk: opts.disk,
    pid,
    mountNamespace,
    launcher,
    exec: (argv, runOpts) => run(launcher[0], [...launcher.slice(1), ...argv], runOpts),
    pids,
    async remove() {
      for (const other of pids().filter(p => p !== pid)) signal(other, 'SIGKILL')
      await killAndWait(holder)
    }
  }
}

function readyLine(holder: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => fail('timed out'), 10_000)
    const fail = (why: string) => {
      clearTimeout(timer)
      reject(new Error(`host mount namespace: ${why}: ${stderr.trim()}`))
    }
    holder.stderr?.setEncoding('utf8').on('data', chunk => (stderr += chunk))
    holder.stdout?.setEncoding('utf8').on('data', chunk => {
      stdout += chunk
      if (stdout.includes('ready\n')) {
        clearTimeout(timer)
        resolve()
      }
    })
    holder.once('exit', code => fail(`exited with ${code}`))
  })
}

/** Every pid whose mount namespace is `namespace`, read from /proc. */
export function processesIn(namespace: string): number[] {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readlinkSync(`/proc/${entry}/ns/mnt`) === namespace && !isZombie(entry)) {
        out.push(Number(entry))
      }
    } catch {
      // gone while we looked
    }
  }
  return out
}

function isZombie(pid: string): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).charAt(0) === 'Z'
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise(resolve => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}
