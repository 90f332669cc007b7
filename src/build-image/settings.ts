import { existsSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { errorMessage, InputError } from '../core/errors.js'
import { InputReader, readBoolean, readChoice, readLines } from '../core/inputs.js'
import { registerSecret } from '../core/secrets.js'
import { isEnvName } from '../core/shell.js'
import { BuildkitOptions, buildkitOnlyInputs, readBuildkitOptions } from './buildkit-options.js'
import { CacheKind } from './docker-commands.js'
import { expandLabelLines, planTags, RuleError } from './metadata.js'
import { GitContext, isValidTag, readGitContext } from './tags.js'

export interface ImageSpec {
  /** The name before `=` in the `images` input. */
  name: string
  /** `registry/path/name`, without a tag. */
  repository: string
  /** As given, relative to the working directory. */
  context: string
  dockerfile: string
  target?: string
}

export interface RegistryLogin {
  host: string
  username: string
  password: string
}

export type BuilderChoice = 'auto' | 'buildx' | 'docker'

export interface BuildSettings {
  images: ImageSpec[]
  /** Host (and optional path) images are named under. */
  registry: string
  login?: RegistryLogin
  logout: boolean
  tags: string[]
  /** `rules` when `tags`/`flavor` use metadata-action's syntax (its labels then too). */
  tagMode: 'rules' | 'plain'
  /** metadata-action's `version`. */
  version: string
  extraLabels: Record<string, string>
  push: boolean
  buildArgs: Array<[string, string?]>
  platforms: string[]
  cache: CacheKind
  builder: BuilderChoice
  buildkit: BuildkitOptions
  git: GitContext
  /** One instant for the run: `{{date}}` in tags and the created label agree. */
  created: Date
  /** Said once the run starts (a tag that is not a version, and the like). */
  warnings: string[]
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const IMAGE_NAME = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`)
const REGISTRY = new RegExp(
  `^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\\.[A-Za-z0-9-]+)*(?::\\d+)?(?:/${PATH_COMPONENT})*$`
)
const STAGE = /^[A-Za-z][A-Za-z0-9_.-]*$/
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/
const GITHUB_REGISTRY = 'ghcr.io'

function readRegistry(read: InputReader): string {
  const registry = (read('registry').trim() || GITHUB_REGISTRY).replace(/\/+$/, '')
  if (!REGISTRY.test(registry)) {
    throw new InputError(
      'registry',
      `${JSON.stringify(registry)} is not a registry host`,
      'Give a host with an optional port and path, e.g. ghcr.io, registry.example.com:5000 or ghcr.io/acme'
    )
  }
  return registry
}

/** `name=context[:dockerfile]`; the Dockerfile is relative to the context, as in Compose. */
function parseImageLine(line: string): { name: string; context: string; dockerfile: string } {
  const at = line.indexOf('=')
  const name = at > 0 ? line.slice(0, at).trim() : ''
  const rest = at > 0 ? line.slice(at + 1).trim() : ''
  if (!name || !rest) {
    throw new InputError(
      'images',
      `line ${JSON.stringify(line)} is not name=context[:dockerfile]`,
      'Write one image per line, e.g. backend=./backend:Dockerfile.prod'
    )
  }
  if (!IMAGE_NAME.test(name)) {
    throw new InputError(
      'images',
      `${JSON.stringify(name)} is not a valid image name`,
      'Use lower-case letters, digits and . _ - (and / between path parts)'
    )
  }
  const colon = rest.indexOf(':')
  const context = (colon >= 0 ? rest.slice(0, colon) : rest).trim() || '.'
  const file = colon >= 0 ? rest.slice(colon + 1).trim() : ''
  const dockerfile = !file
    ? join(context, 'Dockerfile')
    : isAbsolute(file)
      ? file
      : join(context, file)
  return { name, context, dockerfile }
}

function checkBuildFiles(name: string, context: string, dockerfile: string): void {
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new InputError(
      'images',
      `the build context ${JSON.stringify(context)} of ${name} is not a directory`,
      `Give it relative to the working directory (${process.cwd()}); did the job check out the code?`
    )
  }
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
    throw new InputError(
      'images',
      `the Dockerfile ${JSON.stringify(dockerfile)} of ${name} does not exist`,
      'A Dockerfile after ":" is relative to the context, e.g. backend=./backend:Dockerfile.prod'
    )
  }
}

/** Stage names a Dockerfile declares with `FROM … AS name`. */
export function dockerfileStages(text: string): string[] {
  const stages: string[] = []
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*FROM\s+(?:--\S+\s+)*\S+\s+AS\s+(\S+)\s*$/i.exec(line)
    if (m) stages.push(m[1])
  }
  return stages
}

/** `target` is one stage for every image, or `name=stage` lines (a bare stage is the default). */
function readTargets(read: InputReader, names: Set<string>): Map<string, string> {
  const targets = new Map<string, string>()
  for (const line of readLines(read, 'target')) {
    const at = line.indexOf('=')
    const name = at >= 0 ? line.slice(0, at).trim() : '*'
    const stage = at >= 0 ? line.slice(at + 1).trim() : line
    if (name !== '*' && !names.has(name)) {
      throw new InputError(
        'target',
        `names ${JSON.stringify(name)}, which is not in images`,
        `Use one of: ${[...names].join(', ')}`
      )
    }
    if (!STAGE.test(stage)) {
      throw new InputError('target', `${JSON.stringify(stage)} is not a build stage name`)
    }
    targets.set(name, stage)
  }
  return targets
}

function checkTarget(image: ImageSpec): void {
  if (!image.target) return
  const stages = dockerfileStages(readFileSync(image.dockerfile, 'utf8'))
  if (!stages.some(s => s.toLowerCase() === image.target?.toLowerCase())) {
    throw new InputError(
      'target',
      `${image.dockerfile} (image ${image.name}) has no stage ${JSON.stringify(image.target)}`,
      stages.length
        ? `Its stages are: ${stages.join(', ')}`
        : 'It declares no stages; name one with FROM … AS <stage>'
    )
  }
}

/**
 * On ghcr.io an image lives under its owner: a bare name gets the
 * repository owner in front, as GitHub's own examples write it.
 */
function repositoryFor(registry: string, name: string, git: GitContext): string {
  const owner = git.repository.split('/')[0].toLowerCase()
  if (registry === GITHUB_REGISTRY && !name.includes('/') && owner) {
    return `${registry}/${owner}/${name}`
  }
  return `${registry}/${name}`
}

function readImages(read: InputReader, registry: string, git: GitContext): ImageSpec[] {
  const lines = readLines(read, 'images')
  if (lines.length === 0) {
    throw new InputError(
      'images',
      'is empty',
      'Give one image per line, e.g. backend=./backend:Dockerfile.prod'
    )
  }
  const parsed = lines.map(parseImageLine)
  const names = new Set<string>()
  for (const { name } of parsed) {
    if (names.has(name)) throw new InputError('images', `${JSON.stringify(name)} is listed twice`)
    names.add(name)
  }
  const targets = readTargets(read, names)
  const images = parsed.map(({ name, context, dockerfile }) => {
    checkBuildFiles(name, context, dockerfile)
    const image: ImageSpec = {
      name,
      repository: repositoryFor(registry, name, git),
      context,
      dockerfile,
      target: targets.get(name) ?? targets.get('*')
    }
    checkTarget(image)
    return image
  })
  return images
}

function readTags(
  read: InputReader,
  git: GitContext,
  now: Date,
  warnings: string[]
): { tags: string[]; mode: 'rules' | 'plain'; version: string } {
  let plan
  try {
    plan = planTags(
      {
        tags: readLines(read, 'tags'),
        flavor: readLines(read, 'flavor'),
        defaultTags: readBoolean(read, 'default-tags', true)
      },
      git,
      now,
      message => warnings.push(`tags: ${message}`)
    )
  } catch (err) {
    if (!(err instanceof RuleError)) throw err
    throw new InputError(
      err.input,
      err.message,
      err.input === 'flavor'
        ? 'Write metadata-action flavor lines, e.g. latest=auto or prefix=v,onlatest=true'
        : "Write docker/metadata-action's rules, e.g. type=semver,pattern={{version}} or type=ref,event=branch"
    )
  }
  for (const tag of plan.tags) {
    if (!isValidTag(tag)) {
      throw new InputError(
        'tags',
        `${JSON.stringify(tag)} is not a valid tag`,
        'A tag is up to 128 letters, digits, _ . and -, and does not start with . or -'
      )
    }
  }
  if (plan.tags.length === 0) {
    throw new InputError(
      'tags',
      plan.mode === 'rules'
        ? `no rule gives a tag for this event (${git.event?.name || 'no event'}, ref ${JSON.stringify(git.ref)})`
        : 'no tags: there is no GitHub context to derive them from and none were given',
      plan.mode === 'rules'
        ? 'Add a rule that always applies, e.g. type=sha, or run the step only on the events your rules cover'
        : 'Set tags, or run in a workflow (GITHUB_SHA and GITHUB_REF give the default tags)'
    )
  }
  return plan
}

function readBuildArgs(read: InputReader): Array<[string, string?]> {
  return readLines(read, 'build-args').map(line => {
    const at = line.indexOf('=')
    const key = (at >= 0 ? line.slice(0, at) : line).trim()
    if (!isEnvName(key)) {
      throw new InputError(
        'build-args',
        `${JSON.stringify(key)} is not a build argument name`,
        'Write KEY=VALUE per line (or KEY alone to pass the variable from the environment)'
      )
    }
    return at >= 0 ? [key, line.slice(at + 1)] : [key]
  })
}

function readLabels(read: InputReader, git: GitContext, now: Date): Record<string, string> {
  const labels: Record<string, string> = {}
  let lines: string[]
  try {
    lines = expandLabelLines(readLines(read, 'labels'), git, now)
  } catch (err) {
    throw new InputError('labels', errorMessage(err))
  }
  for (const line of lines) {
    const at = line.indexOf('=')
    const key = at > 0 ? line.slice(0, at).trim() : ''
    if (!LABEL_KEY.test(key)) {
      throw new InputError('labels', `line ${JSON.stringify(line)} is not KEY=VALUE`)
    }
    labels[key] = line.slice(at + 1).trim()
  }
  return labels
}

function readPlatforms(read: InputReader): string[] {
  const platforms = readLines(read, 'platforms')
    .flatMap(l => l.split(','))
    .map(p => p.trim())
    .filter(Boolean)
  for (const p of platforms) {
    if (!PLATFORM.test(p)) {
      throw new InputError(
        'platforms',
        `${JSON.stringify(p)} is not a platform`,
        'Use os/arch[/variant], e.g. linux/amd64,linux/arm64'
      )
    }
  }
  return platforms
}

/**
 * The password given, or on ghcr.io the workflow token; no credentials means
 * no login (a runner that is already logged in keeps its login).
 */
function readLogin(read: InputReader, registry: string): RegistryLogin | undefined {
  const host = registry.split('/')[0]
  const password = read('password') || (host === GITHUB_REGISTRY ? read('github-token') : '')
  if (!password) return undefined
  const username = read('username').trim() || process.env.GITHUB_ACTOR || ''
  if (!username) {
    throw new InputError(
      'username',
      `is empty, so the password cannot be used to log in to ${host}`,
      'Set username (it defaults to the workflow actor only inside a workflow)'
    )
  }
  return { host, username, password }
}

/** Reads and checks every input; nothing is built until all of them are valid. */
export function readBuildSettings(
  read: InputReader,
  git: GitContext = readGitContext()
): BuildSettings {
  registerSecret(read('password'))
  registerSecret(read('github-token'))
  const registry = readRegistry(read)
  const created = new Date()
  const warnings: string[] = []
  const images = readImages(read, registry, git)
  const tags = readTags(read, git, created, warnings)
  return {
    images,
    registry,
    login: readLogin(read, registry),
    logout: readBoolean(read, 'logout', true),
    tags: tags.tags,
    tagMode: tags.mode,
    version: tags.version,
    extraLabels: readLabels(read, git, created),
    push: readBoolean(read, 'push', true),
    buildArgs: readBuildArgs(read),
    platforms: readPlatforms(read),
    cache: readChoice(read, 'cache', ['none', 'gha', 'registry'] as const, 'none'),
    builder: readChoice(read, 'builder', ['auto', 'buildx', 'docker'] as const, 'auto'),
    buildkit: readBuildkitOptions(read),
    git,
    created,
    warnings
  }
}

export type Builder = 'buildx' | 'docker'

/**
 * Picks the builder once the runner is known and rejects what that builder
 * cannot do, still before any build starts. Returns warnings to log.
 */
export function chooseBuilder(
  s: BuildSettings,
  hasBuildx: boolean
): { builder: Builder; warnings: string[] } {
  if (s.builder === 'buildx' && !hasBuildx) {
    throw new InputError(
      'builder',
      'is buildx, but `docker buildx` is not available on this runner',
      'Add docker/setup-buildx-action before this step, or use builder: auto'
    )
  }
  const builder: Builder = s.builder === 'docker' || !hasBuildx ? 'docker' : 'buildx'
  const warnings: string[] = []
  if (builder === 'docker') {
    if (s.platforms.length > 1) {
      throw new InputError(
        'platforms',
        `several platforms (${s.platforms.join(', ')}) need buildx, which ${hasBuildx ? 'builder: docker turns off' : 'this runner does not have'}`,
        'Add docker/setup-qemu-action and docker/setup-buildx-action before this step, or build one platform'
      )
    }
    const buildkitOnly = buildkitOnlyInputs(s.buildkit)
    if (buildkitOnly.length > 0) {
      throw new InputError(
        buildkitOnly[0],
        `needs BuildKit (buildx), which ${hasBuildx ? 'builder: docker turns off' : 'this runner does not have'}; so do: ${buildkitOnly.join(', ')}`,
        hasBuildx
          ? 'Use builder: auto or buildx'
          : 'Add docker/setup-buildx-action before this step'
      )
    }
    if (s.cache !== 'none') {
      warnings.push(
        `cache: ${s.cache} needs buildx; the classic builder reuses the engine's local layer cache only`
      )
    }
  } else if (s.platforms.length > 1 && !s.push) {
    throw new InputError(
      'push',
      'is false, but an image for several platforms cannot be loaded into the local engine',
      'Push it (push: true) or build one platform'
    )
  }
  return { builder, warnings }
}
