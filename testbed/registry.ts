import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './ports.js'
import { run, runChecked, tail, waitFor } from './run.js'

export interface Registry {
  /** host:port, as used in image names and in `docker login`. */
  address: string
  username: string
  password: string
  /** The digest the registry serves for `address/path:tag`, asked over its HTTP API. */
  manifestDigest(repository: string, tag: string): Promise<string>
  /** The tags the registry holds for `address/path`, sorted; none when it has no such repository. */
  tags(repository: string): Promise<string[]>
  /** Stops this registry, deletes everything pushed to it and the local images named after it. */
  stop(): Promise<void>
}

/** Every manifest kind a push can store: one image (Docker or OCI) or a multi-platform index. */
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json'
].join(', ')

const REGISTRY_BIN = '/usr/bin/docker-registry'
const START_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000

/**
 * Starts a private registry (Debian's build of distribution/registry) on
 * 127.0.0.1 with password auth. Plain HTTP is enough: the Docker engine
 * treats registries on 127.0.0.0/8 as insecure-allowed without any setup.
 * `listen`: another address of this machine instead, such as a fleet's
 * gateway, which the fleet hosts' engines allow plain HTTP for.
 */
export async function startRegistry(opts: { listen?: string } = {}): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-registry-'))
  const port = await freePort()
  const address = `${opts.listen ?? '127.0.0.1'}:${port}`
  const username = 'deploykit'
  const password = randomBytes(18).toString('base64url')

  // The registry accepts bcrypt entries only; -i keeps the password out of argv.
  const { stdout: htpasswd } = await runChecked('htpasswd', ['-niB', username], {
    input: password
  })
  writeFileSync(join(dir, 'htpasswd'), htpasswd)
  const configPath = join(dir, 'config.yml')
  writeFileSync(
    configPath,
    [
      'version: 0.1',
      'log:',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${address}`,
      // Without a secret the registry makes up one and warns about it on every start.
      `  secret: ${randomBytes(16).toString('hex')}`,
      'auth:',
      '  htpasswd:',
      '    realm: deploykit-testbed',
      `    path: ${join(dir, 'htpasswd')}`,
      ''
    ].join('\n')
  )

  const logPath = join(dir, 'registry.log')
  const log = openSync(logPath, 'a')
  const registry = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', log, log] })
  closeSync(log)
  let spawnError: Error | undefined
  registry.on('error', err => (spawnError = err))
  const exited = () =>
    spawnError !== undefined || registry.exitCode !== null || registry.signalCode !== null

  const stop = async (): Promise<void> => {
    if (!exited()) {
      registry.kill('SIGTERM')
      await waitFor(async () => exited(), STOP_TIMEOUT_MS, `registry on ${address} to exit`).catch(
        () => registry.kill('SIGKILL')
      )
    }
    rmSync(dir, { recursive: true, force: true })
    await removeLocalImages(address)
  }

  try {
    // 401 rather than 200: it proves the registry is up and that auth is on.
    await waitFor(
      async () => exited() || (await v2Status(address)) === 401,
      START_TIMEOUT_MS,
      `registry on ${address}`
    )
    if (exited()) {
      throw new Error(`registry on ${address} exited during startup ${spawnError ?? ''}`)
    }
  } catch (err) {
    const output = tail(readFileSync(logPath, 'utf8'))
    await stop()
    throw new Error(`${(err as Error).message}\n${output}`)
  }
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const pathOf = (repository: string) => {
    if (!repository.startsWith(`${address}/`)) {
      throw new Error(`${repository} is not in the registry ${address}`)
    }
    return repository.slice(address.length + 1)
  }
  const manifestDigest = async (repository: string, tag: string): Promise<string> => {
    const res = await fetch(`http://${address}/v2/${pathOf(repository)}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { authorization: auth, accept: MANIFEST_TYPES }
    })
    if (res.status !== 200) throw new Error(`registry: ${repository}:${tag} → ${res.status}`)
    return res.headers.get('docker-content-digest') ?? ''
  }
  const tags = async (repository: string): Promise<string[]> => {
    const res = await fetch(`http://${address}/v2/${pathOf(repository)}/tags/list`, {
      headers: { authorization: auth }
    })
    if (res.status === 404) return []
    return (((await res.json()) as { tags?: string[] }).tags ?? []).sort()
  }
  return { address, username, password, manifestDigest, tags, stop }
}

/**
 * Untags the images tagged or pulled as `address/…` (by tag and by digest):
 * nothing can pull them again once the registry is gone. By name, never by
 * id, so an image that also has other names (a base image pushed here) stays.
 */
async function removeLocalImages(address: string): Promise<void> {
  const { stdout } = await run('docker', [
    'image',
    'ls',
    '--digests',
    '--format',
    '{{.Repository}}\t{{.Tag}}\t{{.Digest}}'
  ])
  const refs = stdout
    .split('\n')
    .map(line => line.split('\t'))
    .filter(([repo]) => repo.startsWith(`${address}/`))
    .flatMap(([repo, tag, digest]) => [
      ...(tag && tag !== '<none>' ? [`${repo}:${tag}`] : []),
      ...(digest && digest !== '<none>' ? [`${repo}@${digest}`] : [])
    ])
  if (refs.length > 0) await run('docker', ['image', 'rm', ...new Set(refs)])
}

function v2Status(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(`http://${address}/v2/`, { timeout: 2_000 }, response => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    request.on('timeout', () => request.destroy(new Error('timeout')))
    request.on('error', reject)
  })
}
