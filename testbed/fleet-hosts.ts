// Test hosts that are separate machines as far as a deploy can tell: each one
// has its own network namespace on a bridge (fleet-network.ts), its own disk
// for the places a deploy writes (host-mounts.ts), its own Docker engine
// (host-engine.ts) and its own sshd, and the runner reaches it only through a
// relay that delays each direction (latency-relay.ts), as a real link would.
//
// Reachable: the runner reaches each host through its relay (127.213.<slot>.<11+i>)
// and directly at its fleet address; the hosts reach each other at their fleet
// addresses (sshd on port 22, and whatever their engines publish) and the
// runner at the gateway address, for a registry or git server started there.
// Not reachable from a host: the runner's loopback (127.0.0.1 inside a host is
// the host's own), the machine's network, the main engine and its containers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  createFleetNetwork,
  createHostNetwork,
  FleetNetwork,
  HostNetwork
} from './fleet-network.js'
import { HostEngine, loadImages, startHostEngine } from './host-engine.js'
import { createHostMounts, HostMounts } from './host-mounts.js'
import { BUSYBOX_IMAGE, DEBIAN_IMAGE, ensureBaseImages } from './images.js'
import { generateKey } from './keys.js'
import { LatencyRelay, startLatencyRelay } from './latency-relay.js'
import { freePort } from './ports.js'
import { RunOptions, RunResult } from './run.js'
import { hostInputFor, SshHosts } from './ssh-hosts.js'
import { SshServer, startSshd } from './sshd.js'

/** 25 ms each way: the 50 ms round trip the fleet tests and benchmarks run over. */
export const FLEET_DELAY_MS = 25

/** The port each host's sshd listens on inside its namespace, as on a real server. */
const INNER_SSH_PORT = 22

export interface FleetHost {
  index: number
  /** The host's address on the fleet's subnet, where the other hosts reach it. */
  address: string
  /** The runner's way in: the relay's address and port, with the host's key. */
  server: SshServer
  /** The host's sshd itself, at `address`:22 inside the namespace. */
  sshd: SshServer
  relay: LatencyRelay
  engine: HostEngine
  /** The host's /srv, /root, /tmp and /run as the runner sees them, under `disk`. */
  disk: string
  networkNamespace: string
  /** The switch's end of the host's veth pair, in `FleetHosts.switchNamespace`. */
  switchPort: string
  /** The host's own processes: its namespace holder, sshd and dockerd. */
  pids: { holder: number; sshd: number; dockerd: number }
  /** `mnt:[inode]`, shared by every process inside the host. */
  mountNamespace: string
  /** Runs a command inside the host (its mounts, its network), as root, without SSH. */
  exec(argv: string[], opts?: RunOptions): Promise<RunResult>
  /** Pids of every process inside the host right now. */
  processes(): number[]
}

export interface FleetHosts extends SshHosts {
  hosts: FleetHost[]
  /** The runner's address on the fleet's bridge, reachable from every host. */
  gatewayAddress: string
  subnet: string
  /** The namespace holding the fleet's bridge. */
  switchNamespace: string
  /** The root namespace's end of the runner's veth pair to the bridge. */
  gatewayLink: string
}

type Undo = () => Promise<void>

/** Runs the undo steps newest first; every one runs even if an earlier one fails. */
async function undoAll(steps: Undo[]): Promise<void> {
  const errors: unknown[] = []
  for (const step of steps.splice(0).reverse()) {
    await step().catch(err => errors.push(err))
  }
  if (errors.length > 0) throw errors[0]
}

/** A directory is removed only when nothing is mounted under it in this namespace. */
function removeDir(dir: string): void {
  const mounted = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map(line => line.split(' ')[1] ?? '')
    .filter(mountPoint => mountPoint === dir || mountPoint.startsWith(dir + '/'))
  if (mounted.length > 0)
    throw new Error(`not removing ${dir}: mounted there: ${mounted.join(', ')}`)
  rmSync(dir, { recursive: true, force: true })
}

/** The values, or the first failure's reason thrown. */
function firstFailure<T extends unknown[]>(results: {
  [K in keyof T]: PromiseSettledResult<T[K]>
}): T {
  const failed = results.find(r => r.status === 'rejected')
  if (failed) throw (failed as PromiseRejectedResult).reason
  return results.map(r => (r as PromiseFulfilledResult<unknown>).value) as T
}

async function startFleetHost(opts: {
  network: FleetNetwork
  index: number
  dir: string
  authorizedKeys: string[]
  delayMs: number
  images: readonly string[]
  extraConfig?: string[]
  undo: Undo[]
}): Promise<FleetHost> {
  const { network, index, undo } = opts
  const net: HostNetwork = await createHostNetwork(network, index)
  undo.push(() => net.remove())

  const disk = join(opts.dir, `h${index}`)
  undo.push(async () => removeDir(disk))
  const mounts: HostMounts = await createHostMounts({ networkNamespace: net.namespace, disk })
  // Pushed before sshd and dockerd start: whatever they leave in the namespace goes with it.
  undo.push(() => mounts.remove())

  // Settled, not all: a failure of one must wait for the other to record its undo step.
  const [engine, sshd] = firstFailure(
    await Promise.allSettled([
      (async () => {
        const started = await startHostEngine({
          mounts,
          cacheKey: `${network.slot}-${index}`,
          insecureRegistries: network.subnet
        })
        undo.push(() => started.stop())
        await loadImages(started, opts.images)
        return started
      })(),
      (async () => {
        const started = await startSshd({
          address: net.address,
          port: INNER_SSH_PORT,
          authorizedKeys: opts.authorizedKeys,
          extraConfig: opts.extraConfig,
          launcher: mounts.launcher,
          // Under the host's disk, not /tmp: inside the host /tmp is its own.
          parentDir: disk
        })
        undo.push(() => started.stop())
        return started
      })()
    ])
  )

  const relayAddress = `127.213.${network.slot}.${11 + index}`
  const relay = await startLatencyRelay({
    listenAddress: relayAddress,
    listenPort: await freePort(relayAddress),
    target: { address: net.address, port: INNER_SSH_PORT },
    delayMs: opts.delayMs
  })
  undo.push(() => relay.stop())

  const [keyType, keyBody] = sshd.knownHostsLine.split(' ').slice(1)
  const server: SshServer = {
    ...sshd,
    address: relay.address,
    port: relay.port,
    knownHostsLine: `[${relay.address}]:${relay.port} ${keyType} ${keyBody}`
  }
  return {
    index,
    address: net.address,
    server,
    sshd,
    relay,
    engine,
    disk,
    networkNamespace: net.namespace,
    switchPort: net.switchPort,
    pids: { holder: mounts.pid, sshd: sshd.pid, dockerd: engine.pid },
    mountNamespace: mounts.mountNamespace,
    exec: mounts.exec,
    processes: mounts.pids
  }
}

/**
 * Starts `count` hosts trusting the same user keys as startSshHosts, so a suite
 * can take either. `delayMs` is held in each direction (default 25 ms: a 50 ms
 * round trip; 0 for none). `images` are copied from the machine's engine into
 * each host's (default: the busybox image).
 */
export async function startFleetHosts(
  count: number,
  opts: { delayMs?: number; images?: readonly string[]; extraConfig?: string[] } = {}
): Promise<FleetHosts> {
  const images = opts.images ?? [BUSYBOX_IMAGE]
  if (images.some(image => image === BUSYBOX_IMAGE || image === DEBIAN_IMAGE)) {
    await ensureBaseImages()
  }
  const undo: Undo[] = []
  // /var/tmp, not /tmp: the sshd files under it must stay visible inside hosts, whose /tmp is their own.
  const dir = mkdtempSync(join('/var/tmp', 'deploykit-fleet-'))
  undo.push(async () => removeDir(dir))
  const key = generateKey(dir, 'id_plain')
  const passphrase = `pass-${Math.random().toString(36).slice(2)}-phrase`
  const lockedKey = generateKey(dir, 'id_locked', { passphrase })
  const hostUndo: Undo[][] = Array.from({ length: count }, () => [])
  const stopHosts = async (): Promise<void> => {
    firstFailure(await Promise.allSettled(hostUndo.map(steps => undoAll(steps))))
  }
  let hosts: FleetHost[]
  let network: FleetNetwork
  try {
    network = await createFleetNetwork()
    undo.push(() => network.remove())
    // Hosts' steps are undone before the switch they hang on.
    undo.push(stopHosts)
    hosts = firstFailure(
      await Promise.allSettled(
        hostUndo.map((steps, index) =>
          startFleetHost({
            network,
            index,
            dir,
            authorizedKeys: [key.publicKey, lockedKey.publicKey],
            delayMs: opts.delayMs ?? FLEET_DELAY_MS,
            images,
            extraConfig: opts.extraConfig,
            undo: steps
          })
        )
      )
    )
  } catch (err) {
    await undoAll(undo).catch(() => {})
    throw err
  }
  const servers = hosts.map(h => h.server)
  return {
    hosts,
    servers,
    key,
    lockedKey,
    passphrase,
    gatewayAddress: network.gatewayAddress,
    subnet: network.subnet,
    switchNamespace: network.switchNamespace,
    gatewayLink: network.gatewayLink,
    hostInput: (n = count) => hostInputFor(servers, n),
    knownHosts: () => servers.map(s => s.knownHostsLine).join('\n'),
    stop: () => undoAll(undo)
  }
}
