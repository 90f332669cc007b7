// Figures 3 and 5, on hosts that are separate machines as far as a deploy can
// tell (testbed/fleet-hosts.ts: each its own network namespace, sshd, Docker
// engine and disk), reached through relays that hold each direction 25 ms.
//
// Fan-out: the same no-change deploy to host 1 alone and to all 8 hosts.
// Round trips: that one-host deploy against one `ssh host true` over the same
// link, with the commands the host's sshd started for each (its log) and the
// turns the conversation took on the link (the relay's count). Which commands
// those are is recorded on a host of its own, whose sshd keeps each one.
import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { FLEET_DELAY_MS, FleetHost, FleetHosts } from '../../testbed/fleet-hosts.js'
import type { BenchContext } from './context.js'
import { connectionInputs, opensshArgs, prepare, progress, Runs, timedDeploy } from './context.js'
import { composeText, RECORDER, recordedCommands } from './overhead.js'
import { connect, exec } from './round-trip.js'

export const FLEET_SIZE = 8

export interface HostsMemory {
  /** Proportional set size summed: a page shared by n processes counts 1/n for each. */
  pss: number
  /** Resident set size summed: shared pages count once for every process. */
  rss: number
}

export interface FleetStart {
  hosts: number
  ms: number
  /** Memory of every process inside the hosts, in bytes. */
  memory: HostsMemory
  /** The same once every host runs the app's container. */
  withApp: HostsMemory
}

export interface FleetFigures {
  delayMs: number
  start: FleetStart
  one: Runs
  eight: Runs
  /** `ssh host true` with OpenSSH's client, process start to exit. */
  sshTrueMs: number[]
  /** ssh2, the library ssh-deploy uses, connecting and running `true`: one connection's fixed cost. */
  ssh2True: { ms: number[]; turns: number[] }
  /** The same one-host deploy and `ssh host true` with the link's delay set to 0. */
  noDelay: { one: Runs; sshTrueMs: number[] }
  /** Per timed one-host deploy: sessions its sshd started, and turns on its link. */
  deployCommands: number[]
  deployTurns: number[]
  sshTrueCommands: number[]
  sshTrueTurns: number[]
  /** The commands of one no-change deploy as its host's sshd received them, shortened. */
  recorded: string[]
}

const APP_DIR = '/srv/app'
const PROJECT = 'dkbenchfleet'
/**
 * ssh-deploy keeps 5 releases (`keep-releases`): from the sixth deploy on,
 * each one also removes the oldest. Timed deploys come after these, as on a
 * server in use.
 */
const RELEASES_BEFORE = 5

// Measured on the hosts' own processes: the machine's free memory moves with whatever else runs.
function memoryOf(hosts: FleetHost[]): HostsMemory {
  const total = { pss: 0, rss: 0 }
  for (const pid of hosts.flatMap(h => h.processes())) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
      total.pss += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024
      total.rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024
    } catch {
      // ended while we looked
    }
  }
  return total
}

/** Sessions the host's sshd has started so far (LogLevel VERBOSE logs one line for each). */
function sessionsStarted(host: FleetHost): number {
  return readFileSync(host.sshd.logFile, 'utf8').match(/Starting session: /g)?.length ?? 0
}

/** Runs `what` and counts the commands and link turns it cost `host`. */
async function counted<T>(
  host: FleetHost,
  what: () => Promise<T>
): Promise<{ result: T; commands: number; turns: number }> {
  const sessions = sessionsStarted(host)
  const turns = host.relay.traffic().turns
  const result = await what()
  // sshd writes its log line as the session starts; the command has ended by now.
  return {
    result,
    commands: sessionsStarted(host) - sessions,
    turns: host.relay.traffic().turns - turns
  }
}

function writeApp(fleet: FleetHosts): void {
  for (const h of fleet.hosts) {
    const dir = join(h.disk, 'srv', 'app')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'docker-compose.yml'), composeText())
  }
}

const deployInputs = { 'app-dir': APP_DIR, 'project-name': PROJECT, source: 'none' }

function fleetInputs(fleet: FleetHosts, n: number): Record<string, string> {
  return { ...connectionInputs(fleet, n, 'root'), ...deployInputs }
}

/** OpenSSH's client running `true` on the first host, process start to exit. */
function sshTrue(fleet: FleetHosts, knownHosts: string): Promise<number> {
  const server = fleet.servers[0]
  const args = opensshArgs(fleet, server, 'root', knownHosts, 'true')
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => {
      if (code === 0) resolve(performance.now() - started)
      else reject(new Error(`ssh ${server.address} true exited ${code}: ${stderr}`))
    })
  })
}

/** ssh2 as ssh-deploy uses it (TCP_NODELAY on) connecting to the first host and running `true`. */
async function ssh2True(fleet: FleetHosts): Promise<number> {
  const started = performance.now()
  const client = await connect(fleet.servers[0], 'root', fleet.key.privateKey)
  try {
    client.setNoDelay(true)
    await exec(client, 'true')
  } finally {
    client.end()
  }
  return performance.now() - started
}

async function startFleet(ctx: BenchContext): Promise<{ fleet: FleetHosts; start: FleetStart }> {
  progress(`fleet: starting ${FLEET_SIZE} hosts, each with its own engine`)
  const started = performance.now()
  const fleet = await ctx.fleet(FLEET_SIZE, { delayMs: FLEET_DELAY_MS })
  const ms = performance.now() - started
  const start = {
    hosts: FLEET_SIZE,
    ms,
    memory: memoryOf(fleet.hosts),
    withApp: { pss: NaN, rss: NaN }
  }
  progress(`fleet: ${FLEET_SIZE} hosts up in ${Math.round(ms / 1000)} s; first deploy of the app`)
  writeApp(fleet)
  for (let i = 1; i <= RELEASES_BEFORE; i++) {
    await prepare(`deploy ${i} of ${RELEASES_BEFORE} before timing`, fleetInputs(fleet, FLEET_SIZE))
  }
  start.withApp = memoryOf(fleet.hosts)
  return { fleet, start }
}

/** `exec sh -c '…'` as ssh-deploy sends it, shown as the script it runs. */
function shorten(command: string): string {
  const quoted = /^exec sh -c '([\s\S]*)'$/.exec(command)
  const script = quoted ? quoted[1].replace(/'\\''/g, "'") : command
  const body = script.replace(/^printf '%s%s\\n' [^;]*; /, '').replace(/\s+/g, ' ')
  return body.length > 200 ? `${body.slice(0, 200)}…` : body
}

/** The commands of a no-change deploy, kept by a ForceCommand on a host started for that alone. */
async function recordCommands(ctx: BenchContext): Promise<string[]> {
  // Under /var/tmp: a host's /tmp is its own, and its sshd must read the recorder.
  const dir = mkdtempSync('/var/tmp/bench-recorder-')
  try {
    chmodSync(dir, 0o755)
    const recorder = join(dir, 'record-command')
    writeFileSync(recorder, RECORDER, { mode: 0o755 })
    progress('fleet: recording the commands of a no-change deploy on a host of its own')
    const fleet = await ctx.fleet(1, {
      delayMs: 0,
      extraConfig: [`SetEnv RECORD_DIR=/srv/recorded`, `ForceCommand ${recorder}`]
    })
    try {
      writeApp(fleet)
      const recordDir = join(fleet.hosts[0].disk, 'srv', 'recorded')
      mkdirSync(recordDir)
      for (let i = 1; i <= RELEASES_BEFORE; i++) {
        await prepare(`deploy ${i} of ${RELEASES_BEFORE} before recording`, fleetInputs(fleet, 1))
      }
      await prepare('recorded deploy', fleetInputs(fleet, 1), () => {
        rmSync(recordDir, { recursive: true, force: true })
        mkdirSync(recordDir)
      })
      return recordedCommands(recordDir).map(({ cmd }) => shorten(cmd))
    } finally {
      await ctx.stopHosts(fleet)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function measureFleet(ctx: BenchContext, runs: number): Promise<FleetFigures> {
  const { fleet, start } = await startFleet(ctx)
  const figures: FleetFigures = {
    delayMs: FLEET_DELAY_MS,
    start,
    one: new Runs(),
    eight: new Runs(),
    sshTrueMs: [],
    ssh2True: { ms: [], turns: [] },
    noDelay: { one: new Runs(), sshTrueMs: [] },
    deployCommands: [],
    deployTurns: [],
    sshTrueCommands: [],
    sshTrueTurns: [],
    recorded: []
  }
  try {
    const knownHosts = join(fleet.hosts[0].disk, 'bench_known_hosts')
    writeFileSync(knownHosts, fleet.knownHosts() + '\n')
    const first = fleet.hosts[0]
    // One untimed round of each first, then they take turns.
    for (let i = 0; i <= runs; i++) {
      progress(`fleet: round ${i === 0 ? 'warm-up' : `${i} of ${runs}`}`)
      const one = await counted(first, () => timedDeploy(fleetInputs(fleet, 1)))
      const eight = await timedDeploy(fleetInputs(fleet, FLEET_SIZE))
      const ssh = await counted(first, () => sshTrue(fleet, knownHosts))
      const library = await counted(first, () => ssh2True(fleet))
      first.relay.setDelay(0)
      const bare = await timedDeploy(fleetInputs(fleet, 1))
      const bareSsh = await sshTrue(fleet, knownHosts)
      first.relay.setDelay(FLEET_DELAY_MS)
      if (i === 0) continue
      figures.ssh2True.ms.push(library.result)
      figures.ssh2True.turns.push(library.turns)
      figures.noDelay.one.add(bare.run, bare.ms)
      figures.noDelay.sshTrueMs.push(bareSsh)
      figures.one.add(one.result.run, one.result.ms)
      figures.eight.add(eight.run, eight.ms)
      figures.sshTrueMs.push(ssh.result)
      if (one.result.run.code === 0) {
        figures.deployCommands.push(one.commands)
        figures.deployTurns.push(one.turns)
      }
      figures.sshTrueCommands.push(ssh.commands)
      figures.sshTrueTurns.push(ssh.turns)
    }
  } finally {
    progress('fleet: stopping the hosts')
    await ctx.stopHosts(fleet)
  }
  figures.recorded = await recordCommands(ctx)
  return figures
}
