// A host's own Docker engine: a dockerd started inside the host's network and
// mount namespaces, so its containers, bridge networks and published ports are
// the host's alone, and its socket is the host's /run/docker.sock.
//
// Loading the Debian image into a fresh engine takes about 15 s, so each
// engine's data root is kept between runs, one per fleet slot and host index
// (the slot's switch namespace is held while the engine runs, so no two engines share
// one). Only images survive: containers, volumes, networks and swarm state are
// removed when the engine starts and when it stops.
import { spawn } from 'node:child_process'
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync
} from 'node:fs'
import { join } from 'node:path'
import { stopDocker } from './docker.js'
import { HostMounts } from './host-mounts.js'
import { run, RunOptions, RunResult, runChecked, tail, waitFor } from './run.js'

export const ENGINE_CACHE = '/var/cache/deploykit-testbed/fleet-engines'
const IMAGE_CACHE = join(ENGINE_CACHE, 'images')
const START_TIMEOUT_MS = 60_000

export interface HostEngine {
  pid: number
  /** The engine's socket as the runner reaches it (inside the host it is /run/docker.sock). */
  socket: string
  dataRoot: string
  logFile: string
  /** The docker CLI on the runner, talking to this engine. */
  docker(args: string[], opts?: RunOptions): Promise<RunResult>
  stop(): Promise<void>
}

export async function startHostEngine(opts: {
  mounts: HostMounts
  cacheKey: string
  /** CIDR whose registries may be plain HTTP (the fleet's subnet: a registry on the gateway). */
  insecureRegistries: string
}): Promise<HostEngine> {
  const dataRoot = join(ENGINE_CACHE, opts.cacheKey)
  mkdirSync(dataRoot, { recursive: true })
  const socket = join(opts.mounts.disk, 'run', 'docker.sock')
  const logFile = join(opts.mounts.disk, 'dockerd.log')
  const log = openSync(logFile, 'a')
  const [cmd, ...prefix] = opts.mounts.launcher
  const dockerd = spawn(
    cmd,
    [
      ...prefix,
      'dockerd',
      '--data-root',
      dataRoot,
      '--exec-root',
      '/run/docker',
      '--pidfile',
      '/run/docker.pid',
      '-H',
      'unix:///run/docker.sock',
      '--insecure-registry',
      opts.insecureRegistries
    ],
    { stdio: ['ignore', log, log] }
  )
  closeSync(log)
  dockerd.on('error', () => {})
  const pid = dockerd.pid
  if (pid === undefined) throw new Error('could not start dockerd in the host')
  const docker = (args: string[], runOpts?: RunOptions) =>
    run('docker', ['-H', `unix://${socket}`, ...args], { timeoutMs: 60_000, ...runOpts })
  const stop = async (): Promise<void> => {
    if (dockerd.exitCode === null && dockerd.signalCode === null) {
      // Containers are killed first: an engine stopping them itself waits 10 s for each one
      // whose process ignores SIGTERM (a shell as pid 1 does).
      await clearState(docker)
      await stopDocker(pid)
    }
  }
  try {
    await waitFor(
      async () => {
        if (dockerd.exitCode !== null) throw new Error('exited')
        return (await docker(['info', '--format', '{{.ServerVersion}}'])).code === 0
      },
      START_TIMEOUT_MS,
      `dockerd in the host (pid ${pid})`
    )
    if (dockerd.exitCode !== null) throw new Error(`dockerd exited with ${dockerd.exitCode}`)
    await clearState(docker)
  } catch (err) {
    await stop()
    throw new Error(`${(err as Error).message}\n${tail(readFileSync(logFile, 'utf8'))}`)
  }
  return { pid, socket, dataRoot, logFile, docker, stop }
}

/** What a test left in the engine, so a cached data root starts like a fresh server's. */
async function clearState(docker: HostEngine['docker']): Promise<void> {
  const ids = async (args: string[]) =>
    (await docker(args)).stdout.split('\n').filter(line => line.trim() !== '')
  const containers = await ids(['ps', '--all', '--quiet'])
  if (containers.length > 0) await docker(['rm', '--force', '--volumes', ...containers])
  if (
    (await docker(['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim() !== 'inactive'
  ) {
    await docker(['swarm', 'leave', '--force'])
  }
  await docker(['network', 'prune', '--force'])
  const volumes = await ids(['volume', 'ls', '--quiet'])
  if (volumes.length > 0) await docker(['volume', 'rm', '--force', ...volumes])
}

/**
 * Copies images from the machine's engine into a host's, unless the host has
 * them already (same image id). Each image is saved once into a cached
 * archive named by its id, which every host then loads.
 */
export async function loadImages(engine: HostEngine, images: readonly string[]): Promise<void> {
  for (const image of images) {
    const id = await imageId(image, args => run('docker', args))
    if (id === undefined) throw new Error(`image ${image} is not in the machine's Docker engine`)
    if ((await imageId(image, engine.docker)) === id) continue
    const archive = await savedArchive(image, id)
    await runChecked(
      'docker',
      ['-H', `unix://${engine.socket}`, 'load', '--quiet', '--input', archive],
      {
        timeoutMs: 5 * 60_000
      }
    )
  }
}

async function imageId(
  image: string,
  docker: (args: string[]) => Promise<RunResult>
): Promise<string | undefined> {
  const { code, stdout } = await docker(['image', 'inspect', '--format', '{{.Id}}', image])
  return code === 0 ? stdout.trim() : undefined
}

const saving = new Map<string, Promise<string>>()

/** One `docker save` per image id, shared by hosts loading at once; a torn archive is never kept. */
function savedArchive(image: string, id: string): Promise<string> {
  const archive = join(IMAGE_CACHE, `${id.replace(/[^a-z0-9]/gi, '-')}.tar`)
  let pending = saving.get(archive)
  if (pending === undefined) {
    pending = (async () => {
      if (existsSync(archive)) return archive
      mkdirSync(IMAGE_CACHE, { recursive: true })
      const partial = `${archive}.${process.pid}.partial`
      try {
        await runChecked('docker', ['save', '--output', partial, image], { timeoutMs: 5 * 60_000 })
        renameSync(partial, archive)
      } finally {
        rmSync(partial, { force: true })
      }
      return archive
    })()
    pending.catch(() => saving.delete(archive))
    saving.set(archive, pending)
  }
  return pending
}
