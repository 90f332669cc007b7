// The fleet's network: one private /24 on a bridge, each host a network
// namespace joined to it by a veth pair, and the runner joined to it by one
// more pair whose root-side end holds the gateway address.
//
// The bridge lives in a namespace of its own (the "switch"), not in the root
// namespace: this machine has br_netfilter loaded with bridge-nf-call-iptables
// on, which sends bridged frames through the root namespace's FORWARD chain,
// whose policy the main Docker engine sets to DROP (a bridge's own
// nf_call_iptables 0 does not help: the kernel ORs it with the global switch).
// In the switch namespace the filter tables are empty, so hosts reach each
// other without a rule added to the machine's firewall.
//
// Hosts see each other and the gateway, and nothing else: they have no route
// off the subnet (the root namespace forwards, as the main engine turns
// ip_forward on, and through it a host could reach the main engine's
// container networks).
import { run, runChecked } from './run.js'

/** 10.213.<slot>.0/24: one /24 per fleet, so two fleets on one machine never share a subnet. */
const SUBNET_PREFIX = '10.213'
const MAX_SLOTS = 255
const BRIDGE = 'br0'

export interface FleetNetwork {
  /** Which /24 and which names this fleet holds; also keys the per-host engine caches. */
  slot: number
  /** The namespace holding the bridge. */
  switchNamespace: string
  /** The root namespace's end of the runner's pair, holding `gatewayAddress`. */
  gatewayLink: string
  /** The runner's address on the subnet, where a registry or git server for the hosts listens. */
  gatewayAddress: string
  subnet: string
  /** Removes the gateway pair and the switch; every host must be gone first. */
  remove(): Promise<void>
}

export interface HostNetwork {
  /** `ip netns` name; /var/run/netns/<name> is the namespace. */
  namespace: string
  /** The switch's end of the host's pair (the host's end is `eth0`). */
  switchPort: string
  address: string
  remove(): Promise<void>
}

/**
 * Claims the first free slot. Adding the switch namespace is the claim: `ip
 * netns add` fails when another fleet made that name first, so two starts at
 * once never share a slot (or, later, an engine cache).
 */
export async function createFleetNetwork(): Promise<FleetNetwork> {
  const used = (await runChecked('ip', ['-o', '-4', 'addr', 'show'])).stdout
  for (let slot = 0; slot < MAX_SLOTS; slot++) {
    if (used.includes(` ${SUBNET_PREFIX}.${slot}.`)) continue
    const switchNamespace = `dkfleet${slot}`
    const made = await run('ip', ['netns', 'add', switchNamespace])
    if (made.code !== 0) {
      if (made.stderr.includes('File exists')) continue
      throw new Error(`ip netns add ${switchNamespace}: ${made.stderr.trim()}`)
    }
    const gatewayLink = `dkfleet${slot}`
    const gatewayAddress = `${SUBNET_PREFIX}.${slot}.1`
    let linkMade = false
    const remove = async (): Promise<void> => {
      if (linkMade) await run('ip', ['link', 'del', gatewayLink])
      await run('ip', ['netns', 'del', switchNamespace])
    }
    try {
      const inSwitch = (args: string[]) => runChecked('ip', ['-n', switchNamespace, ...args])
      await inSwitch(['link', 'add', BRIDGE, 'type', 'bridge'])
      await inSwitch(['link', 'set', BRIDGE, 'up'])
      await runChecked('ip', [
        'link',
        'add',
        gatewayLink,
        'type',
        'veth',
        'peer',
        'name',
        'gateway',
        'netns',
        switchNamespace
      ])
      linkMade = true
      await inSwitch(['link', 'set', 'gateway', 'master', BRIDGE, 'up'])
      await runChecked('ip', ['addr', 'add', `${gatewayAddress}/24`, 'dev', gatewayLink])
      await runChecked('ip', ['link', 'set', gatewayLink, 'up'])
    } catch (err) {
      await remove()
      throw err
    }
    return {
      slot,
      switchNamespace,
      gatewayLink,
      gatewayAddress,
      subnet: `${SUBNET_PREFIX}.${slot}.0/24`,
      remove
    }
  }
  throw new Error(`no free fleet subnet left in ${SUBNET_PREFIX}.0.0/16`)
}

/** A network namespace with loopback up and `eth0` on the fleet's bridge. */
export async function createHostNetwork(
  network: FleetNetwork,
  index: number
): Promise<HostNetwork> {
  const namespace = `dkfleet${network.slot}-h${index}`
  const switchPort = `h${index}`
  const address = `${SUBNET_PREFIX}.${network.slot}.${11 + index}`
  await runChecked('ip', ['netns', 'add', namespace])
  let linkMade = false
  const remove = async (): Promise<void> => {
    if (linkMade) await run('ip', ['-n', network.switchNamespace, 'link', 'del', switchPort])
    await run('ip', ['netns', 'del', namespace])
  }
  try {
    await runChecked('ip', [
      '-n',
      network.switchNamespace,
      'link',
      'add',
      switchPort,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      namespace
    ])
    linkMade = true
    await runChecked('ip', [
      '-n',
      network.switchNamespace,
      'link',
      'set',
      switchPort,
      'master',
      BRIDGE,
      'up'
    ])
    const inside = (args: string[]) => runChecked('ip', ['-n', namespace, ...args])
    await inside(['link', 'set', 'lo', 'up'])
    await inside(['addr', 'add', `${address}/24`, 'dev', 'eth0'])
    await inside(['link', 'set', 'eth0', 'up'])
  } catch (err) {
    await remove()
    throw err
  }
  return { namespace, switchPort, address, remove }
}
