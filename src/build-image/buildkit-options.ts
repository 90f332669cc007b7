/**
 * BuildKit's inputs in docker/build-push-action's syntax: secrets, ssh,
 * build contexts, attestations and cache import/export. Read and checked
 * once, before anything is built.
 */
import { existsSync, statSync } from 'node:fs'
import { InputError } from '../core/errors.js'
import { InputReader, readBoolean, readLines } from '../core/inputs.js'
import { registerSecret } from '../core/secrets.js'
import { isEnvName } from '../core/shell.js'
import { csvFields } from './metadata-rules.js'

export interface BuildkitOptions {
  /** `id` → value: written to a file of mode 600 in RUNNER_TEMP, never onto a command line. */
  secrets: Array<{ id: string; value: string }>
  secretFiles: Array<{ id: string; path: string }>
  /** `id` → the name of an environment variable of the step. */
  secretEnvs: Array<{ id: string; env: string }>
  /** `default` or `id=path[,path]`: agent sockets or keys for `RUN --mount=type=ssh`. */
  ssh: string[]
  noCache: boolean
  pull: boolean
  /** `name=path|docker-image://…|target:…`, as `--build-context` takes them. */
  buildContexts: string[]
  /** '' leaves buildx's default. */
  provenance: string
  sbom: string
  /** build-push-action's cache entries, e.g. `type=gha` or `type=registry,ref=…`. */
  cacheFrom: string[]
  cacheTo: string[]
}

const SECRET_ID = /^[A-Za-z0-9_.-]+$/
const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/
const ATTESTATION = /^[A-Za-z0-9=,._:/+-]+$/

function keyValue(input: string, line: string, hint: string): [string, string] {
  const at = line.indexOf('=')
  const key = at > 0 ? line.slice(0, at).trim() : ''
  if (!key) throw new InputError(input, `line ${JSON.stringify(line)} is not id=value`, hint)
  return [key, line.slice(at + 1)]
}

function secretId(input: string, id: string): string {
  if (!SECRET_ID.test(id)) {
    throw new InputError(
      input,
      `${JSON.stringify(id)} is not a secret id`,
      'An id is letters, digits, _ . and -; the Dockerfile reads it with RUN --mount=type=secret,id=<id>'
    )
  }
  return id
}

function readSecrets(read: InputReader): BuildkitOptions['secrets'] {
  // Each value is masked before anything can print it, even an error about its line.
  const lines = readLines(read, 'secrets')
  for (const line of lines) registerSecret(line.slice(line.indexOf('=') + 1))
  return lines.map(line => {
    const at = line.indexOf('=')
    if (at <= 0) {
      throw new InputError(
        'secrets',
        'has a line that is not id=value',
        'Write one secret per line, e.g. NPM_TOKEN=${{ secrets.NPM_TOKEN }}'
      )
    }
    return { id: secretId('secrets', line.slice(0, at).trim()), value: line.slice(at + 1) }
  })
}

function readSecretFiles(read: InputReader): BuildkitOptions['secretFiles'] {
  return readLines(read, 'secret-files').map(line => {
    const [id, raw] = keyValue('secret-files', line, 'Write id=path per line, e.g. npmrc=./.npmrc')
    const path = raw.trim()
    if (!path || !existsSync(path) || !statSync(path).isFile()) {
      throw new InputError(
        'secret-files',
        `the file ${JSON.stringify(path)} of secret ${id} does not exist`,
        `Give it relative to the working directory (${process.cwd()})`
      )
    }
    return { id: secretId('secret-files', id), path }
  })
}

function readSecretEnvs(read: InputReader): BuildkitOptions['secretEnvs'] {
  return readLines(read, 'secret-envs').map(line => {
    const [id, raw] = keyValue('secret-envs', line, 'Write id=ENV_NAME per line')
    const env = raw.trim()
    if (!isEnvName(env)) {
      throw new InputError('secret-envs', `${JSON.stringify(env)} is not a variable name`)
    }
    if (process.env[env] === undefined) {
      throw new InputError(
        'secret-envs',
        `names ${env}, which this step's environment does not set`,
        `Set it in the step's env: (${env}: \${{ secrets.… }})`
      )
    }
    registerSecret(process.env[env] ?? '')
    return { id: secretId('secret-envs', id), env }
  })
}

function readSsh(read: InputReader): string[] {
  return readLines(read, 'ssh').map(line => {
    const id = line.split('=')[0].trim()
    if (!SECRET_ID.test(id)) {
      throw new InputError(
        'ssh',
        `${JSON.stringify(line)} is not default or id=path`,
        'Give `default` for the SSH agent (SSH_AUTH_SOCK) or id=/path/to/key'
      )
    }
    if (id === 'default' && !line.includes('=') && !process.env.SSH_AUTH_SOCK) {
      throw new InputError(
        'ssh',
        'is default, but no SSH agent runs (SSH_AUTH_SOCK is not set)',
        'Start one first (webfactory/ssh-agent), or give id=/path/to/key'
      )
    }
    const at = line.indexOf('=')
    const paths =
      at >= 0
        ? line
            .slice(at + 1)
            .split(',')
            .map(p => p.trim())
        : []
    const missing = paths.find(p => !p || !existsSync(p))
    if (missing !== undefined) {
      throw new InputError(
        'ssh',
        `the key or socket ${JSON.stringify(missing)} of ${id} does not exist`,
        'Give id=/path/to/key (or to an agent socket) that exists on the runner'
      )
    }
    return line.trim()
  })
}

function readBuildContexts(read: InputReader): string[] {
  return readLines(read, 'build-contexts').map(line => {
    const [name, value] = keyValue(
      'build-contexts',
      line,
      'Write name=path (or name=docker-image://image:tag) per line'
    )
    if (!CONTEXT_NAME.test(name) || !value.trim()) {
      throw new InputError('build-contexts', `${JSON.stringify(line)} is not name=source`)
    }
    return `${name}=${value.trim()}`
  })
}

function readAttestation(read: InputReader, name: 'provenance' | 'sbom'): string {
  const value = read(name).trim()
  if (value && !ATTESTATION.test(value)) {
    throw new InputError(
      name,
      `${JSON.stringify(value)} is not an attestation setting`,
      'Use true, false or mode=min|max'
    )
  }
  return value
}

/** One cache entry: a bare reference means `type=registry,ref=…`, as build-push-action reads it. */
function readCacheEntries(read: InputReader, input: 'cache-from' | 'cache-to'): string[] {
  return readLines(read, input).map(line => {
    const entry = line.includes('=') ? line.trim() : `type=registry,ref=${line.trim()}`
    let fields: string[]
    try {
      fields = csvFields(entry)
    } catch (err) {
      throw new InputError(input, String(err))
    }
    const type = fields.find(f => f.trim().startsWith('type='))
    if (!type) {
      throw new InputError(
        input,
        `${JSON.stringify(line)} names no type`,
        'Write build-push-action cache entries, e.g. type=gha, type=inline or type=registry,ref=ghcr.io/acme/app:cache'
      )
    }
    return entry
  })
}

export function readBuildkitOptions(read: InputReader): BuildkitOptions {
  const options: BuildkitOptions = {
    secrets: readSecrets(read),
    secretFiles: readSecretFiles(read),
    secretEnvs: readSecretEnvs(read),
    ssh: readSsh(read),
    noCache: readBoolean(read, 'no-cache', false),
    pull: readBoolean(read, 'pull', false),
    buildContexts: readBuildContexts(read),
    provenance: readAttestation(read, 'provenance'),
    sbom: readAttestation(read, 'sbom'),
    cacheFrom: readCacheEntries(read, 'cache-from'),
    cacheTo: readCacheEntries(read, 'cache-to')
  }
  const ids = [...options.secrets, ...options.secretFiles, ...options.secretEnvs].map(s => s.id)
  const twice = ids.find((id, i) => ids.indexOf(id) !== i)
  if (twice) {
    throw new InputError('secrets', `the secret id ${JSON.stringify(twice)} is given twice`)
  }
  const cache = read('cache').trim()
  if (cache && cache !== 'none' && (options.cacheFrom.length || options.cacheTo.length)) {
    throw new InputError(
      'cache',
      `is ${cache}, and cache-from/cache-to are set too`,
      'Use one: cache for the presets, or cache-from/cache-to in build-push-action syntax'
    )
  }
  return options
}

/** Anything only BuildKit can do, by the input that asks for it. */
export function buildkitOnlyInputs(o: BuildkitOptions): string[] {
  return [
    o.secrets.length ? 'secrets' : '',
    o.secretFiles.length ? 'secret-files' : '',
    o.secretEnvs.length ? 'secret-envs' : '',
    o.ssh.length ? 'ssh' : '',
    o.buildContexts.length ? 'build-contexts' : '',
    o.provenance ? 'provenance' : '',
    o.sbom ? 'sbom' : '',
    o.cacheFrom.length ? 'cache-from' : '',
    o.cacheTo.length ? 'cache-to' : ''
  ].filter(Boolean)
}

/** A gha cache entry without a scope gets the image's name, so images do not overwrite each other's. */
export function scopedCacheEntry(entry: string, imageName: string): string {
  const fields = csvFields(entry).map(f => f.trim())
  const isGha = fields.includes('type=gha')
  if (!isGha || fields.some(f => f.startsWith('scope='))) return entry
  return `${entry},scope=${imageName}`
}

/** A cache export the engine's own BuildKit (the docker driver) can do: only inline. */
export function isInlineCache(entry: string): boolean {
  return csvFields(entry).some(f => f.trim() === 'type=inline')
}
