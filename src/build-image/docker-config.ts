/**
 * The docker CLI configuration a registry login goes into: a directory of
 * this run's own, never the runner user's ~/.docker (or DOCKER_CONFIG). A job
 * killed between login and logout would otherwise leave the password in the
 * user's config for every later job on that machine; here it is in a
 * directory only the runner user can read, which the step removes when it
 * ends and the post step removes when the step was killed.
 */
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export const PRIVATE_CONFIG_PREFIX = 'deploykit-docker-config-'

/**
 * What the docker CLI and buildx keep beside config.json that a build reads:
 * buildx's builders and the one `docker buildx use` chose, the contexts, CLI
 * plugins installed for the user (setup-buildx-action puts buildx there).
 * Linked, not copied, so buildx keeps its state where it always has.
 */
const SHARED_ENTRIES = ['buildx', 'contexts', 'cli-plugins'] as const

/** The parts of config.json this module reads; everything else is kept as it is. */
export interface DockerConfigFile {
  auths?: Record<string, unknown>
  credsStore?: string
  credHelpers?: Record<string, string>
  [key: string]: unknown
}

/** DOCKER_CONFIG, else $HOME/.docker: where the docker CLI reads its configuration. */
export function userDockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker')
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io'])

/** `https://index.docker.io/v1/` and `docker.io` are one registry; a key may carry a scheme and path. */
export function registryHostname(address: string): string {
  const host = address
    .replace(/^[a-z]+:\/\//i, '')
    .split('/')[0]
    .toLowerCase()
  return DOCKER_HUB.has(host) ? 'docker.io' : host
}

/**
 * The user's config.json with the login host's credentials taken out of
 * every store but the file itself: `docker login` writes to a credential
 * helper when one is configured for the host (`credHelpers`) or for all of
 * them (`credsStore`), and a helper's store outlives this directory. The
 * registries the `credsStore` helper holds (`storeHosts`, from its `list`)
 * keep reaching it through `credHelpers`, so a private base image still pulls.
 */
export function privateConfigFile(
  user: DockerConfigFile,
  loginHost: string,
  storeHosts: readonly string[] = []
): DockerConfigFile {
  const { auths, credsStore, credHelpers, ...rest } = user
  const login = registryHostname(loginHost)
  const others = ([key]: [string, unknown]) => registryHostname(key) !== login
  const helpers = Object.fromEntries(Object.entries(credHelpers ?? {}).filter(others))
  if (credsStore) {
    for (const host of storeHosts) {
      if (registryHostname(host) !== login && !(host in helpers)) helpers[host] = credsStore
    }
  }
  const keptAuths = Object.fromEntries(Object.entries(auths ?? {}).filter(others))
  return {
    ...rest,
    ...(Object.keys(keptAuths).length > 0 ? { auths: keptAuths } : {}),
    ...(Object.keys(helpers).length > 0 ? { credHelpers: helpers } : {})
  }
}

/**
 * The user's config.json, or {} when there is none. The docker CLI ignores
 * an unreadable one with a warning; so does this, through `warn`.
 */
export function readUserConfigFile(dir: string, warn: (message: string) => void): DockerConfigFile {
  const path = join(dir, 'config.json')
  if (!existsSync(path)) return {}
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as DockerConfigFile
    warn(`${path} holds no JSON object; the build uses no settings from it`)
  } catch (err) {
    warn(
      `${path} is not valid JSON (${(err as Error).message}); the build uses no settings from it`
    )
  }
  return {}
}

/** A new, empty directory under `parent` that only this user can enter. */
export function makePrivateConfigDir(parent: string): string {
  const dir = mkdtempSync(join(parent, PRIVATE_CONFIG_PREFIX))
  chmodSync(dir, 0o700)
  return dir
}

/** Fills `dir` with `config` (mode 600) and links to what the build needs from the user's config. */
export function writePrivateConfig(dir: string, config: DockerConfigFile, userDir: string): void {
  const file = join(dir, 'config.json')
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
  for (const entry of SHARED_ENTRIES) {
    const target = join(userDir, entry)
    if (existsSync(target)) symlinkSync(target, join(dir, entry))
  }
}
