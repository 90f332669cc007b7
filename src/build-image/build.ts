import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DockerCli } from './docker-cli.js'
import { scopedCacheEntry } from './buildkit-options.js'
import {
  BuildkitFlags,
  BuildRequest,
  buildxBuild,
  dockerBuild,
  dockerPush,
  imageRefs,
  inspectImageId,
  inspectRepoDigests
} from './docker-commands.js'
import {
  buildxDigest,
  cacheStats,
  CacheStats,
  pushedDigest,
  repoDigestFor
} from './docker-output.js'
import { Builder, BuildSettings, ImageSpec } from './settings.js'
import { metadataActionLabels } from './metadata.js'
import { ociLabels } from './tags.js'

/** What one image became; also its entry in the `images` output. */
export interface ImageResult {
  name: string
  repository: string
  tags: string[]
  /** `repository:tag` for every tag: pushed when `pushed` is true, local otherwise. */
  refs: string[]
  pushed: boolean
  /** `repository@sha256:…` as the registry stores it; '' when not pushed. */
  digest: string
  /** The local image id (`sha256:…`); '' when buildx pushed without loading. */
  imageId: string
  /** metadata-action's `version`. */
  version: string
  labels: Record<string, string>
  /** What buildx wrote to its metadata file (build-push-action's `metadata`); null for the classic builder. */
  metadata: Record<string, unknown> | null
}

/** Timings and cache use, for the summary and the log. */
export interface ImageReport extends ImageResult {
  builder: Builder
  /** Pushed by the build command itself rather than by `docker push` afterwards. */
  pushedByBuild: boolean
  buildSeconds: number
  pushSeconds: number
  cache: CacheStats
}

export function buildRequest(image: ImageSpec, s: BuildSettings, created: Date): BuildRequest {
  return {
    name: image.name,
    repository: image.repository,
    context: image.context,
    dockerfile: image.dockerfile,
    tags: s.tags,
    labels: {
      ...(s.tagMode === 'rules'
        ? metadataActionLabels(s.git, s.version, created)
        : ociLabels(s.git, s.tags, image.name, created)),
      ...s.extraLabels
    },
    buildArgs: s.buildArgs,
    target: image.target,
    platforms: s.platforms
  }
}

/**
 * BuildKit's flags for one image: inline secrets as the files `secretFiles`
 * holds (written by main.ts, mode 600), a gha cache scoped to the image.
 */
export function buildkitFlagsFor(
  s: BuildSettings,
  image: Pick<ImageSpec, 'name'>,
  secretFiles: ReadonlyMap<string, string>
): BuildkitFlags {
  const k = s.buildkit
  return {
    secrets: [
      ...k.secrets.map(({ id }) => ({ id, src: secretFiles.get(id) ?? '' })),
      ...k.secretFiles.map(({ id, path }) => ({ id, src: path })),
      ...k.secretEnvs.map(({ id, env }) => ({ id, env }))
    ],
    ssh: k.ssh,
    noCache: k.noCache,
    pull: k.pull,
    buildContexts: k.buildContexts,
    provenance: k.provenance,
    sbom: k.sbom,
    cacheFrom: k.cacheFrom.map(c => scopedCacheEntry(c, image.name)),
    cacheTo: k.cacheTo.map(c => scopedCacheEntry(c, image.name))
  }
}

function parseMetadata(text: string): Record<string, unknown> | null {
  try {
    const parsed = JSON.parse(text) as unknown
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null
  } catch {
    return null
  }
}

function seconds(since: number): number {
  return (Date.now() - since) / 1000
}

function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : ''
}

/**
 * Builds one image. The classic builder, and buildx on the docker driver,
 * build into the engine (pushing comes after every image has built); any
 * other buildx driver pushes in the same command when `pushInBuild` is set.
 */
export async function buildImage(
  cli: DockerCli,
  req: BuildRequest,
  opts: {
    builder: Builder
    pushInBuild: boolean
    cache: BuildSettings['cache']
    buildkit?: BuildkitFlags
    version?: string
    tempDir: string
    prefix: string
  }
): Promise<ImageReport> {
  const started = Date.now()
  const refs = imageRefs(req.repository, req.tags)
  const report: ImageReport = {
    name: req.name,
    repository: req.repository,
    tags: [...req.tags],
    refs,
    pushed: false,
    digest: '',
    imageId: '',
    version: opts.version ?? '',
    labels: { ...req.labels },
    metadata: null,
    builder: opts.builder,
    pushedByBuild: false,
    buildSeconds: 0,
    pushSeconds: 0,
    cache: { steps: 0, cached: 0 }
  }
  if (opts.builder === 'docker') {
    const iidFile = join(opts.tempDir, `${req.name.replace(/\//g, '_')}.iid`)
    const result = await cli.checked(
      dockerBuild(req, iidFile, { noCache: opts.buildkit?.noCache, pull: opts.buildkit?.pull }),
      {
        prefix: opts.prefix,
        // The classic builder is the one every engine has; BuildKit needs buildx.
        env: { DOCKER_BUILDKIT: '0' }
      }
    )
    report.imageId = readIfExists(iidFile)
    report.cache = cacheStats(result.stdout)
  } else {
    const metadataFile = join(opts.tempDir, `${req.name.replace(/\//g, '_')}.json`)
    const result = await cli.checked(
      buildxBuild(req, {
        output: opts.pushInBuild ? 'push' : 'load',
        cache: opts.cache,
        metadataFile,
        buildkit: opts.buildkit
      }),
      { prefix: opts.prefix }
    )
    const metadata = readIfExists(metadataFile)
    report.metadata = parseMetadata(metadata)
    report.cache = cacheStats(result.stderr + result.stdout)
    if (opts.pushInBuild) {
      report.pushed = true
      report.pushedByBuild = true
      // With a push, the metadata's digest is the manifest's (or the index's) in the registry.
      const digest = buildxDigest(metadata)
      report.digest = digest ? `${req.repository}@${digest}` : ''
    } else {
      report.imageId = (await cli.checked(inspectImageId(refs[0]), { quiet: true })).stdout.trim()
    }
  }
  report.buildSeconds = seconds(started)
  return report
}

/** Pushes every tag of an image in the engine and reads the digest the registry gave it. */
export async function pushImage(
  cli: DockerCli,
  report: ImageReport,
  prefix: string
): Promise<void> {
  const started = Date.now()
  const digests = new Set<string>()
  for (const ref of report.refs) {
    const result = await cli.checked(dockerPush(ref), { prefix })
    const digest = pushedDigest(result.stdout)
    if (digest) digests.add(digest)
  }
  if (digests.size > 1) {
    throw new Error(
      `${report.name}: the registry reported different digests for its tags (${[...digests].join(', ')})`
    )
  }
  // An engine that prints no digest line still records it among the image's RepoDigests.
  const [pushed] = [...digests]
  report.digest = pushed
    ? `${report.repository}@${pushed}`
    : repoDigestFor(
        (await cli.run(inspectRepoDigests(report.refs[0]), { quiet: true })).stdout,
        report.repository
      )
  report.pushed = true
  report.pushSeconds = seconds(started)
}

export function toResult(r: ImageReport): ImageResult {
  return {
    name: r.name,
    repository: r.repository,
    tags: r.tags,
    refs: r.refs,
    pushed: r.pushed,
    digest: r.digest,
    imageId: r.imageId,
    version: r.version,
    labels: r.labels,
    metadata: r.metadata
  }
}
