// The multi-host testbed: three hosts, each with its own network namespace,
// disk, Docker engine and sshd, reached over SSH through a delaying relay, as
// a deploy reaches them. What a deploy relies on is checked through SSH: a
// file one host writes is not on another, each `docker` sees its own engine,
// Compose's relative bind mounts read the host's own disk, the runner is
// reachable at the gateway address only. Then stop() must leave no namespace,
// link, process, mount or directory behind.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import {
  createServer as createHttpServer,
  IncomingMessage,
  Server as HttpServer,
  ServerResponse
} from 'node:http'
import { connect as connectTcp } from 'node:net'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Client } from 'ssh2'
import { ensureDocker, stopDocker } from '../../docker.js'
import { FleetHosts, startFleetHosts } from '../../fleet-hosts.js'
import { BUSYBOX_IMAGE } from '../../images.js'
import { ensurePrerequisites } from '../../prerequisites.js'
import { runChecked } from '../../run.js'
import { SshServer } from '../../sshd.js'

interface Session {
  exec(command: string): Promise<{ code: number; stdout: string; stderr: string }>
  end(): void
}

/** An SSH connection that accepts only the key known_hosts names for the server. */
function connect(server: SshServer, privateKey: string): Promise<Session> {
  const expected = server.knownHostsLine.split(' ')[2]
  return new Promise((resolve, reject) => {
    const client = new Client()
    client.once('error', reject)
    client.once('ready', () =>
      resolve({
        exec: command =>
          new Promise((done, fail) => {
            client.exec(command, (err, channel) => {
              if (err) return fail(err)
              let stdout = ''
              let stderr = ''
              channel.on('data', (chunk: Buffer) => (stdout += chunk))
              channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
              channel.on('exit', (code: number | null) => {
                channel.on('close', () => done({ code: code ?? -1, stdout, stderr }))
              })
            })
          }),
        end: () => client.end()
      })
    )
    client.connect({
      host: server.address,
      port: server.port,
      username: 'root',
      privateKey,
      hostVerifier: (key: Buffer) => key.toString('base64') === expected
    })
  })
}

/** From sending an SSH version line to the server's next bytes (its KEXINIT), in ms. */
function tcpRoundTrip(server: SshServer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(server.port, server.address)
    let sent = 0
    socket.once('error', reject)
    socket.on('data', () => {
      if (sent === 0) {
        sent = performance.now()
        socket.write('SSH-2.0-probe\r\n')
      } else if (socket.destroyed === false) {
        socket.destroy()
        resolve(performance.now() - sent)
      }
    })
  })
}

async function ok(session: Session, command: string): Promise<string> {
  const result = await session.exec(command)
  if (result.code !== 0) throw new Error(`${command} exited ${result.code}: ${result.stderr}`)
  return result.stdout
}

// Other suites on this machine start containers meanwhile; the main engine's mounts and links
// come and go. What the fleet makes is named dkf… (links, namespaces) and is never the main
// engine's mounts.
function mountPoints(): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .filter(line => line !== '' && !/ \/(var\/lib\/docker|run\/docker)\//.test(line))
    .sort()
}

/** `ip netns list` names that look like a fleet's. */
async function netnsNames(): Promise<string[]> {
  return (await runChecked('ip', ['netns', 'list'])).stdout
    .split('\n')
    .map(line => line.split(' ')[0])
    .filter(name => name.startsWith('dkf'))
}

/** `ip link` names that look like a fleet's. */
async function linkNames(): Promise<string[]> {
  return (await runChecked('ip', ['-o', 'link', 'show'])).stdout
    .split('\n')
    .map(line => line.split(': ')[1]?.split('@')[0] ?? '')
    .filter(name => name.startsWith('dkf'))
}

/** Processes whose command line names a fleet's directory or engine cache: sshd and dockerd. */
function fleetProcesses(): string[] {
  const found: string[] = []
  for (const entry of readdirSync('/proc').filter(e => /^\d+$/.test(e))) {
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ')
      if (cmdline.includes('deploykit-fleet')) found.push(`${entry} ${cmdline}`)
    } catch {
      // gone while we looked
    }
  }
  return found
}

function fleetDirs(): string[] {
  return readdirSync('/var/tmp').filter(name => name.startsWith('deploykit-fleet-'))
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !'ZX'.includes(stat.slice(stat.lastIndexOf(')') + 2).charAt(0))
  } catch {
    return false
  }
}

let fleet: FleetHosts
let sessions: Session[] = []
const before = {
  mounts: [] as string[],
  netns: [] as string[],
  links: [] as string[],
  dirs: [] as string[]
}

let dockerPid: number | undefined

beforeAll(async () => {
  ensurePrerequisites()
  // The hosts' images are copied from the machine's engine, which CI does not keep running:
  // started before the snapshot below, so its own bridge is not taken for a leftover.
  dockerPid = (await ensureDocker()).startedPid
  // `ip netns add` makes /run/netns a mount point the first time any namespace is added on the
  // machine, and leaves it for every later one: it is iproute2's, not the fleet's.
  await runChecked('ip', ['netns', 'add', 'dkfleet-probe'])
  await runChecked('ip', ['netns', 'del', 'dkfleet-probe'])
  before.mounts = mountPoints()
  before.netns = await netnsNames()
  before.links = await linkNames()
  before.dirs = fleetDirs()
  const started = performance.now()
  fleet = await startFleetHosts(3, { delayMs: 25, images: [BUSYBOX_IMAGE] })
  console.log(`fleet-hosts: 3 hosts started in ${Math.round(performance.now() - started)} ms`)
  sessions = await Promise.all(fleet.servers.map(s => connect(s, fleet.key.privateKey)))
}, 10 * 60_000)

afterAll(async () => {
  for (const session of sessions) session.end()
  await fleet?.stop()
  if (dockerPid !== undefined) await stopDocker(dockerPid)
})

describe('fleet hosts', () => {
  it('gives each host its own address, reached through its relay', async () => {
    const addresses = await Promise.all(
      sessions.map(s => ok(s, "ip -o -4 addr show dev eth0 | awk '{ print $4 }'"))
    )
    expect(addresses.map(a => a.trim())).toEqual(fleet.hosts.map(h => `${h.address}/24`))
    expect(fleet.hostInput().split('\n')).toEqual(
      fleet.servers.map(s => `root@${s.address}:${s.port}`)
    )
  })

  it('keeps a file written through one host off the others and off the runner', async () => {
    const [a, b, c] = sessions
    await ok(a, 'mkdir -p /srv/app && echo from-a > /srv/app/marker && echo tmp-a > /tmp/marker')
    expect(await ok(a, 'cat /srv/app/marker')).toBe('from-a\n')
    for (const other of [b, c]) {
      expect(await ok(other, 'test -e /srv/app/marker; echo $?')).toBe('1\n')
      expect(await ok(other, 'test -e /tmp/marker; echo $?')).toBe('1\n')
    }
    expect(readFileSync(join(fleet.hosts[0].disk, 'srv', 'app', 'marker'), 'utf8')).toBe('from-a\n')
    expect(existsSync('/srv/app/marker')).toBe(false)
  })

  it("lets `docker ps` through a host list that host's containers only", async () => {
    const [a, b] = sessions
    const id = (await ok(a, `docker run -d --name only-on-a ${BUSYBOX_IMAGE} sleep 600`)).trim()
    expect(await ok(a, "docker ps --format '{{.Names}}'")).toBe('only-on-a\n')
    expect(await ok(b, "docker ps --all --format '{{.Names}}'")).toBe('')
    const machine = await runChecked('docker', ['ps', '--all', '--no-trunc', '--format', '{{.ID}}'])
    expect(machine.stdout.split('\n')).not.toContain(id)
    await ok(a, 'docker rm --force only-on-a')
  })

  it("runs Compose with a relative bind mount from the host's own disk", async () => {
    const [a, b] = sessions
    const compose = [
      'services:',
      '  web:',
      `    image: ${BUSYBOX_IMAGE}`,
      '    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]',
      '    volumes: ["./html:/www:ro"]',
      '    ports: ["8080:8080"]'
    ].join('\n')
    await ok(
      a,
      `mkdir -p /srv/web/html && cd /srv/web && echo served-by-a > html/index.html && ` +
        `printf '%s\\n' '${compose.replace(/'/g, "'\\''")}' > compose.yml && docker compose up -d --quiet-pull`
    )
    // busybox wget, as the machine may have no curl; retried while httpd starts. (Its -T
    // option crashes Debian's static busybox 1.35, so there is no timeout flag.)
    const fetchFrom = (address: string) =>
      `for i in $(seq 50); do busybox wget -q -O - http://${address}:8080/ && exit 0; sleep 0.1; done; exit 1`
    expect(await ok(a, fetchFrom('127.0.0.1'))).toBe('served-by-a\n')
    // The other host reaches A's published port across the bridge, but runs nothing itself.
    expect(await ok(b, fetchFrom(fleet.hosts[0].address))).toBe('served-by-a\n')
    expect(await ok(b, 'test -e /srv/web; echo $?')).toBe('1\n')
    expect(await ok(b, "docker ps --all --format '{{.Names}}'")).toBe('')
    expect(await ok(b, 'busybox wget -q -O - http://127.0.0.1:8080/; echo $?')).toMatch(/1\n$/)
    await ok(a, 'cd /srv/web && docker compose down --timeout 0')
  })

  it("reaches the runner at the gateway address, and not the runner's loopback", async () => {
    const answer = (_req: IncomingMessage, res: ServerResponse) => res.end('from-the-runner\n')
    const onGateway = createHttpServer(answer)
    const onLoopback = createHttpServer(answer)
    const listen = (server: HttpServer, address: string) =>
      new Promise<number>(resolve =>
        server.listen(0, address, () => resolve((server.address() as { port: number }).port))
      )
    try {
      const gatewayPort = await listen(onGateway, fleet.gatewayAddress)
      const loopbackPort = await listen(onLoopback, '127.0.0.1')
      const get = (url: string) => ok(sessions[1], `busybox wget -q -O - ${url}; echo "exit $?"`)
      expect(await get(`http://${fleet.gatewayAddress}:${gatewayPort}/`)).toBe(
        'from-the-runner\nexit 0\n'
      )
      // Inside a host, 127.0.0.1 is the host's own loopback.
      expect(await get(`http://127.0.0.1:${loopbackPort}/`)).toBe('exit 1\n')
    } finally {
      onGateway.closeAllConnections()
      onLoopback.closeAllConnections()
      await Promise.all([onGateway, onLoopback].map(s => new Promise(r => s.close(r))))
    }
  })

  it('delays each direction of the link by the chosen time', async () => {
    const host = fleet.hosts[0]
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]
    const measure = async (times: number, once: () => Promise<number>) => {
      const out: number[] = []
      for (let i = 0; i < times; i++) out.push(await once())
      return out
    }
    // The bare link: sshd answers the client's version line with its key exchange offer,
    // one request and one reply with nothing but the server's reading in between.
    const tcp = () => measure(10, () => tcpRoundTrip(host.server))
    const exec = () =>
      measure(10, async () => {
        const started = performance.now()
        await ok(sessions[0], 'true')
        return performance.now() - started
      })
    const delayed = { tcp: await tcp(), exec: await exec() }
    host.relay.setDelay(0)
    const direct = { tcp: await tcp(), exec: await exec() }
    host.relay.setDelay(25)
    const ms = (xs: number[]) => `${median(xs).toFixed(1)} ms`
    console.log(
      `fleet-hosts: round trip through the relay (median of 10): TCP ${ms(delayed.tcp)} at ` +
        `25+25 ms, ${ms(direct.tcp)} at 0 ms; \`true\` over SSH ${ms(delayed.exec)} at 25+25 ms, ` +
        `${ms(direct.exec)} at 0 ms`
    )
    // Each needs at least one request and one reply, each held 25 ms.
    expect(Math.min(...delayed.tcp)).toBeGreaterThanOrEqual(50)
    expect(Math.min(...delayed.exec)).toBeGreaterThanOrEqual(50)
  })

  it('stop() leaves no namespace, link, process, mount or directory behind', async () => {
    // What a deploy may leave on a server: a detached process and a running container.
    await ok(sessions[1], 'setsid sleep 600 </dev/null >/dev/null 2>&1 & echo started')
    await ok(sessions[2], `docker run -d --restart always ${BUSYBOX_IMAGE} sleep 600`)
    const made = {
      netns: [fleet.switchNamespace, ...fleet.hosts.map(h => h.networkNamespace)],
      links: [fleet.gatewayLink],
      pids: fleet.hosts.flatMap(h => h.processes()),
      dirs: [dirname(fleet.hosts[0].disk), ...fleet.hosts.map(h => h.disk)]
    }
    expect(await netnsNames()).toEqual(expect.arrayContaining(made.netns))
    expect(await linkNames()).toEqual(expect.arrayContaining(made.links))
    // holder, dockerd, its containerd and sshd at least, in each host, and the detached sleep
    expect(made.pids.length).toBeGreaterThanOrEqual(3 * 4 + 1)
    for (const session of sessions) session.end()
    sessions = []

    const started = performance.now()
    await fleet.stop()
    console.log(`fleet-hosts: 3 hosts stopped in ${Math.round(performance.now() - started)} ms`)

    expect(await netnsNames()).toEqual(before.netns)
    expect(await linkNames()).toEqual(before.links)
    expect(made.pids.filter(alive)).toEqual([])
    expect(mountPoints()).toEqual(before.mounts)
    expect(made.dirs.filter(dir => existsSync(dir))).toEqual([])
  })

  it('cleans up what a failed start made', async () => {
    await expect(
      startFleetHosts(2, { images: ['deploykit-testbed/no-such-image:1'] })
    ).rejects.toThrow(/no-such-image/)
    expect(await netnsNames()).toEqual(before.netns)
    expect(await linkNames()).toEqual(before.links)
    expect(mountPoints()).toEqual(before.mounts)
    expect(fleetProcesses()).toEqual([])
    expect(fleetDirs()).toEqual(before.dirs)
  })
})
