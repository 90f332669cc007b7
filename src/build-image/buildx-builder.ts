/**
 * The buildx builder a build would run on, and what its driver cannot do.
 * Read from `docker buildx inspect` before anything is built, so an input the
 * builder would refuse halfway through fails first, with the fix.
 */
import { InputError } from '../core/errors.js'
import { isInlineCache } from './buildkit-options.js'
import type { BuildSettings } from './settings.js'

export interface BuildxBuilder {
  name: string
  /** `docker` (the engine's own BuildKit), `docker-container`, `kubernetes`, `remote`. */
  driver: string
  /** What its nodes say they build; empty when a builder has not booted yet. */
  platforms: string[]
  /** The engine stores images in containerd, which lets the docker driver do what it otherwise cannot. */
  containerdImageStore: boolean
  /** `0.8`, `0.13.1`: the first node's BuildKit; '' when it does not say. */
  buildkitVersion?: string
}

/** `Name:` and `Driver:` of the builder (before `Nodes:`), and every node's `Platforms:`. */
export function parseBuildxInspect(
  text: string
): Pick<BuildxBuilder, 'name' | 'driver' | 'platforms' | 'buildkitVersion'> {
  const nodesAt = text.search(/^Nodes:/m)
  const header = nodesAt >= 0 ? text.slice(0, nodesAt) : text
  const field = (name: string) =>
    new RegExp(`^${name}:[ \\t]*(\\S.*?)\\s*$`, 'm').exec(header)?.[1] ?? ''
  const platforms = [...text.matchAll(/^Platforms:[ \t]*(.*)$/gm)]
    .flatMap(m => m[1].split(','))
    // A `*` marks a platform the builder was created with rather than one it detected.
    .map(p => p.trim().replace(/\*$/, ''))
    .filter(Boolean)
  const buildkitVersion = /^BuildKit version:[ \t]*v?(\d+\.\d+(?:\.\d+)?)/m.exec(text)?.[1] ?? ''
  return {
    name: field('Name'),
    driver: field('Driver'),
    platforms: [...new Set(platforms)],
    buildkitVersion
  }
}

/** `docker info`'s DriverStatus names the containerd snapshotter when the image store is on. */
export function usesContainerdImageStore(driverStatusJson: string): boolean {
  try {
    const status = JSON.parse(driverStatusJson.trim() || 'null') as unknown
    return (
      Array.isArray(status) &&
      status.some(
        pair =>
          Array.isArray(pair) && pair[0] === 'driver-type' && /containerd/.test(String(pair[1]))
      )
    )
  } catch {
    return false
  }
}

const CREATE_BUILDER =
  'docker/setup-buildx-action before this step (it creates a docker-container builder), or run `docker buildx create --use`'

/** `linux/arm64/v8` is the same platform as `linux/arm64`. */
function samePlatform(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/^(linux\/arm64)\/v8$/, '$1')
  return norm(a) === norm(b)
}

/**
 * The docker driver builds in the engine's own BuildKit: one platform of
 * those the engine runs, and no cache export, unless the engine keeps its
 * images in containerd. Throws the input error a user can act on.
 */
export function checkBuilderCanBuild(
  s: Pick<BuildSettings, 'cache' | 'platforms'> & { buildkit?: BuildSettings['buildkit'] },
  builder: BuildxBuilder
): void {
  checkBuildkitVersion(s, builder)
  if (builder.driver !== 'docker' || builder.containerdImageStore) return
  const which = `the current buildx builder ${JSON.stringify(builder.name)} uses the docker driver`
  const k = s.buildkit
  for (const name of ['provenance', 'sbom'] as const) {
    const value = k?.[name] ?? ''
    if (value && value !== 'false') {
      throw new InputError(
        name,
        `is ${value}, but ${which}, which cannot attach attestations to an image`,
        `Add ${CREATE_BUILDER}, or turn on the engine's containerd image store; or leave ${name} empty`
      )
    }
  }
  const exporting = (k?.cacheTo ?? []).find(c => !isInlineCache(c))
  if (exporting) {
    throw new InputError(
      'cache-to',
      `is ${exporting}, but ${which}, which exports only an inline cache (type=inline)`,
      `Add ${CREATE_BUILDER}, or use cache-to: type=inline with cache-from: type=registry,ref=<image>`
    )
  }
  const gha = (k?.cacheFrom ?? []).find(c => /(^|,)\s*type=gha\b/.test(c))
  if (gha) {
    throw new InputError(
      'cache-from',
      `is ${gha}, but ${which}, which cannot read the GitHub Actions cache`,
      `Add ${CREATE_BUILDER}, or read an inline or registry cache (type=registry,ref=<image>)`
    )
  }
  if (s.cache !== 'none') {
    throw new InputError(
      'cache',
      `is ${s.cache}, but ${which}, which cannot export a build cache`,
      `To cache in ${s.cache === 'gha' ? 'the GitHub Actions cache' : 'the registry'}, add ${CREATE_BUILDER}; or set cache: none (the engine's local layer cache is still used)`
    )
  }
  if (s.platforms.length > 1) {
    throw new InputError(
      'platforms',
      `lists ${s.platforms.length} platforms (${s.platforms.join(', ')}), but ${which}, which builds one platform at a time`,
      `To build them into one image, add docker/setup-qemu-action and ${CREATE_BUILDER}; or give one platform`
    )
  }
  const [platform] = s.platforms
  if (
    platform &&
    builder.platforms.length > 0 &&
    !builder.platforms.some(p => samePlatform(p, platform))
  ) {
    throw new InputError(
      'platforms',
      `is ${platform}, but ${which}, which builds only what the engine runs: ${builder.platforms.join(', ')}`,
      `Add docker/setup-qemu-action before this step to emulate ${platform}, or build for ${builder.platforms[0]}`
    )
  }
}

/** Named build contexts need BuildKit 0.10 (Dockerfile 1.4); Docker 20.10's own BuildKit is 0.8. */
function checkBuildkitVersion(
  s: { buildkit?: BuildSettings['buildkit'] },
  builder: BuildxBuilder
): void {
  const version = builder.buildkitVersion ?? ''
  if (!s.buildkit?.buildContexts.length || !version) return
  const [major, minor] = version.split('.').map(Number)
  if (major > 0 || minor >= 10) return
  throw new InputError(
    'build-contexts',
    `needs BuildKit 0.10 or later, but the current buildx builder ${JSON.stringify(builder.name)} (${builder.driver} driver) runs BuildKit ${version}`,
    `Add ${CREATE_BUILDER}, or upgrade the Docker engine (23.0 and later bring BuildKit 0.11)`
  )
}
