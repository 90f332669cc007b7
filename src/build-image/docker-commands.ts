/**
 * Docker CLI invocations as argv arrays (after `docker`). Nothing here runs
 * anything, so every flag the action passes is visible and unit-tested.
 */

export type CacheKind = 'none' | 'gha' | 'registry'

/** Everything one image build needs, independent of the builder. */
export interface BuildRequest {
  /** Short name from the `images` input; scopes the GitHub Actions cache. */
  name: string
  /** `registry/path/name`, without a tag. */
  repository: string
  context: string
  dockerfile: string
  tags: readonly string[]
  labels: Readonly<Record<string, string>>
  /** `[KEY, VALUE]`, or `[KEY]` to let docker take the value from the environment. */
  buildArgs: ReadonlyArray<readonly [string, string?]>
  target?: string
  platforms: readonly string[]
}

export function imageRefs(repository: string, tags: readonly string[]): string[] {
  return tags.map(tag => `${repository}:${tag}`)
}

function commonBuildFlags(req: BuildRequest): string[] {
  return [
    '--file',
    req.dockerfile,
    ...imageRefs(req.repository, req.tags).flatMap(ref => ['--tag', ref]),
    ...Object.entries(req.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
    ...req.buildArgs.flatMap(([key, value]) => [
      '--build-arg',
      value === undefined ? key : `${key}=${value}`
    ]),
    ...(req.target ? ['--target', req.target] : [])
  ]
}

/**
 * The classic builder (`DOCKER_BUILDKIT=0`): the image lands in the local
 * engine with every tag, and its id is written to `iidFile`. `--force-rm`:
 * a failed step's container would otherwise stay behind on the runner.
 */
export function dockerBuild(
  req: BuildRequest,
  iidFile: string,
  opts: { noCache?: boolean; pull?: boolean } = {}
): string[] {
  return [
    'build',
    ...commonBuildFlags(req),
    ...(opts.noCache ? ['--no-cache'] : []),
    ...(opts.pull ? ['--pull'] : []),
    ...(req.platforms.length === 1 ? ['--platform', req.platforms[0]] : []),
    '--force-rm',
    '--iidfile',
    iidFile,
    req.context
  ]
}

export interface BuildxOutput {
  /**
   * `push` from the builder itself (a docker-container builder, whose image
   * cannot be loaded when it spans several platforms), or `load` into the
   * engine, where `docker push` takes it once every image has built.
   */
  output: 'push' | 'load'
  cache: CacheKind
  /** Where buildx writes the image's digest as JSON. */
  metadataFile: string
  buildkit?: BuildkitFlags
}

/** BuildKit's own flags, per image (a gha cache already scoped to it). */
export interface BuildkitFlags {
  /** A secret from a file (`src`, mode 600 for a value given inline) or from the environment. */
  secrets: ReadonlyArray<{ id: string; src?: string; env?: string }>
  ssh: readonly string[]
  noCache: boolean
  pull: boolean
  buildContexts: readonly string[]
  provenance: string
  sbom: string
  cacheFrom: readonly string[]
  cacheTo: readonly string[]
}

/** buildx reads `--secret` as one CSV record: a field holding `,` or `"` is quoted. */
function csvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field
}

function buildkitFlags(k: BuildkitFlags | undefined): string[] {
  if (!k) return []
  return [
    ...k.secrets.flatMap(secret => [
      '--secret',
      [
        csvField(`id=${secret.id}`),
        secret.env !== undefined
          ? csvField(`env=${secret.env}`)
          : csvField(`src=${secret.src ?? ''}`)
      ].join(',')
    ]),
    ...k.ssh.flatMap(ssh => ['--ssh', ssh]),
    ...(k.noCache ? ['--no-cache'] : []),
    ...(k.pull ? ['--pull'] : []),
    ...k.buildContexts.flatMap(c => ['--build-context', c]),
    ...(k.provenance ? [`--provenance=${k.provenance}`] : []),
    ...(k.sbom ? [`--sbom=${k.sbom}`] : []),
    ...k.cacheFrom.flatMap(c => ['--cache-from', c]),
    ...k.cacheTo.flatMap(c => ['--cache-to', c])
  ]
}

function cacheFlags(req: BuildRequest, cache: CacheKind): string[] {
  switch (cache) {
    case 'gha':
      return [
        '--cache-from',
        `type=gha,scope=${req.name}`,
        '--cache-to',
        `type=gha,mode=max,scope=${req.name}`
      ]
    case 'registry':
      return [
        '--cache-from',
        `type=registry,ref=${req.repository}:buildcache`,
        '--cache-to',
        `type=registry,ref=${req.repository}:buildcache,mode=max`
      ]
    case 'none':
      return []
  }
}

/** BuildKit through buildx: pushes in the same step or loads the image into the engine. */
export function buildxBuild(req: BuildRequest, out: BuildxOutput): string[] {
  return [
    'buildx',
    'build',
    '--progress',
    'plain',
    ...commonBuildFlags(req),
    ...(req.platforms.length > 0 ? ['--platform', req.platforms.join(',')] : []),
    ...cacheFlags(req, out.cache),
    ...buildkitFlags(out.buildkit),
    '--metadata-file',
    out.metadataFile,
    `--${out.output}`,
    req.context
  ]
}

export function buildxVersion(): string[] {
  return ['buildx', 'version']
}

/** The current builder (BUILDX_BUILDER or `docker buildx use`): its driver and platforms. */
export function buildxInspect(): string[] {
  return ['buildx', 'inspect']
}

/** The storage driver's status; the containerd image store lifts the docker driver's limits. */
export function dockerDriverStatus(): string[] {
  return ['info', '--format', '{{json .DriverStatus}}']
}

export function dockerPush(ref: string): string[] {
  return ['push', ref]
}

/** The password goes to standard input, never into argv where `ps` or a log could show it. */
export function dockerLogin(registryHost: string, username: string): string[] {
  return ['login', '--username', username, '--password-stdin', registryHost]
}

export function inspectImageId(ref: string): string[] {
  return ['image', 'inspect', '--format', '{{.Id}}', ref]
}

export function inspectRepoDigests(ref: string): string[] {
  return ['image', 'inspect', '--format', '{{json .RepoDigests}}', ref]
}
