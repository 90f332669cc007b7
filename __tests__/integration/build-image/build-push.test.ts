// build-image on the testbed's real Docker engine against a real registry
// with password auth: with buildx (0.13, the engine's own BuildKit through
// the docker driver), which the action picks when the runner has it, and
// with the classic builder, which `builder: docker` selects. A runner that
// has no buildx at all is in __tests__/e2e/build-image.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InputError } from '../../../src/core/errors.js'
import { visibleLog } from '../../helpers/capture-output.js'
import { credentialForms, filesHolding } from '../../helpers/secret-files.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { BUSYBOX_IMAGE, ensureBaseImages } from '../../../testbed/images.js'
import { Registry, startRegistry } from '../../../testbed/registry.js'
import { run, runChecked } from '../../../testbed/run.js'
import { ActionFiles, BuildRun } from './harness.js'

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
/** Any command that builds, logs in or pushes: none may run when an input is refused. */
const BUILD_OR_PUSH = /\$ docker (buildx build|build|login|push)\b/

let dockerPid: number | undefined
let registry: Registry
let files: ActionFiles
let project: string
let namespace: string
/**
 * The runner user's own home, with a docker config of its own (no
 * DOCKER_CONFIG is set, so the docker CLI would use ~/.docker): a login
 * there outlives a job that is killed before it logs out. Not this machine's
 * home, where other suites log in while this one runs.
 */
let home: string
let userConfig: string
let userConfigHash: string
/** The runner's RUNNER_TEMP, emptied by GitHub between jobs. */
let runnerTemp: string

function hashOf(path: string): string {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'none'
}

/** Two images FROM the testbed's busybox: a multi-stage API and a one-stage web image. */
function writeProject(dir: string, nonce: string): void {
  mkdirSync(join(dir, 'api'), { recursive: true })
  mkdirSync(join(dir, 'web', 'www'), { recursive: true })
  // The nonce makes the first build of each test run a cold one.
  writeFileSync(join(dir, 'api', 'nonce.txt'), nonce)
  writeFileSync(join(dir, 'web', 'nonce.txt'), nonce)
  writeFileSync(
    join(dir, 'api', 'Dockerfile.prod'),
    [
      `FROM ${BUSYBOX_IMAGE} AS build`,
      'ARG APP_VERSION=unset',
      'COPY nonce.txt /src/nonce.txt',
      'RUN mkdir -p /out && echo "version=$APP_VERSION" > /out/version.txt',
      '',
      `FROM ${BUSYBOX_IMAGE} AS runtime`,
      'COPY --from=build /out /srv',
      'CMD ["cat", "/srv/version.txt"]',
      '',
      'FROM runtime AS debug',
      'RUN echo debug > /srv/debug.txt',
      ''
    ].join('\n')
  )
  writeFileSync(
    join(dir, 'web', 'Dockerfile'),
    [
      `FROM ${BUSYBOX_IMAGE}`,
      'ARG GREETING=none',
      'COPY nonce.txt /nonce.txt',
      'COPY www /www',
      'RUN echo "$GREETING" > /www/greeting.txt',
      'CMD ["cat", "/www/greeting.txt"]',
      ''
    ].join('\n')
  )
  writeFileSync(join(dir, 'web', 'www', 'index.html'), '<h1>web</h1>\n')
}

function baseInputs(): Record<string, string> {
  return {
    images: `api=${join(project, 'api')}:Dockerfile.prod\nweb=${join(project, 'web')}`,
    registry: `${registry.address}/${namespace}`,
    username: registry.username,
    password: registry.password,
    'build-args': 'APP_VERSION=1.2.3\nGREETING=hello from build-args',
    target: 'api=runtime'
  }
}

function branchPush(branch: string, defaultBranch = 'main'): void {
  files.setEnv({ GITHUB_REF: `refs/heads/${branch}`, GITHUB_REF_NAME: branch })
  files.setEvent('push', {
    ref: `refs/heads/${branch}`,
    after: SHA,
    repository: { full_name: 'example/app', default_branch: defaultBranch }
  })
}

async function labelsOf(ref: string): Promise<Record<string, string>> {
  const { stdout } = await runChecked('docker', [
    'image',
    'inspect',
    '--format',
    '{{json .Config.Labels}}',
    ref
  ])
  return JSON.parse(stdout) as Record<string, string>
}

/**
 * Image ids the builds printed: the classic builder's ` ---> 1a2b3c4d5e6f`
 * for every step, BuildKit's `writing image sha256:…`. They find the stage
 * images left untagged and the images a later build took the tags from.
 */
const builtIds = new Set<string>()

async function build(inputs: Record<string, string>): Promise<BuildRun> {
  const r = await files.run(inputs)
  for (const m of r.output.matchAll(/^(?:\[[\w-]+\] )? ---> ([0-9a-f]{12})$/gm)) builtIds.add(m[1])
  for (const m of r.output.matchAll(/ writing image sha256:([0-9a-f]{12})[0-9a-f]{52}\b/g)) {
    builtIds.add(m[1])
  }
  return r
}

/** Seconds each image took to build, from the action's `NAME: built in Ns` lines. */
function buildSeconds(r: BuildRun): string {
  return [...r.output.matchAll(/^(api|web): built in ([\d.]+)s/gm)]
    .map(m => `${m[1]} ${m[2]}s`)
    .join(', ')
}

/** Every tag of both images is in the registry at the digest the action output. */
async function expectPushed(r: BuildRun): Promise<void> {
  expect(r.error).toBeUndefined()
  expect(r.failed).toBe(false)
  const repo = (name: string) => `${registry.address}/${namespace}/${name}`
  expect(Object.keys(r.images)).toEqual(['api', 'web'])
  for (const name of ['api', 'web']) {
    const image = r.images[name]
    expect(image).toMatchObject({
      name,
      repository: repo(name),
      tags: ['main', 'latest', 'sha-a1b2c3d'],
      refs: [`${repo(name)}:main`, `${repo(name)}:latest`, `${repo(name)}:sha-a1b2c3d`],
      pushed: true
    })
    expect(image.digest).toMatch(new RegExp(`^${repo(name)}@sha256:[0-9a-f]{64}$`))
    const digest = image.digest.split('@')[1]
    for (const tag of image.tags)
      expect(await registry.manifestDigest(repo(name), tag)).toBe(digest)
    const { stdout } = await runChecked('docker', [
      'image',
      'inspect',
      '--format',
      '{{json .RepoDigests}}',
      `${repo(name)}:main`
    ])
    expect(JSON.parse(stdout)).toContain(image.digest)
    expect(await registry.tags(repo(name))).toEqual(['latest', 'main', 'sha-a1b2c3d'])
  }
}

/** Nothing is pushed before the last image has built: `docker push` comes after every build. */
function expectPushedAfterEveryBuild(r: BuildRun): void {
  const lastBuilt = Math.max(
    ...[...r.output.matchAll(/^(api|web): built in /gm)].map(m => m.index ?? -1)
  )
  const firstPush = r.output.search(/\$ docker push /)
  expect(firstPush).toBeGreaterThan(lastBuilt)
}

/**
 * Removes the untagged images of earlier stages that the builds printed. The
 * tagged ones go with the registry (its stop removes the local names it gave).
 * Base images are tagged, so they are never among these.
 */
async function removeUntaggedStages(): Promise<void> {
  const dangling = (
    await runChecked('docker', ['image', 'ls', '-q', '--filter', 'dangling=true'])
  ).stdout
    .split('\n')
    .filter(id => builtIds.has(id))
  if (dangling.length) await run('docker', ['image', 'rm', ...dangling])
}

async function localImages(): Promise<string[]> {
  const { stdout } = await runChecked('docker', [
    'image',
    'ls',
    '--format',
    '{{.Repository}}:{{.Tag}}'
  ])
  return stdout
    .split('\n')
    .filter(ref => ref.startsWith(`${registry.address}/`))
    .sort()
}

/** The registry credential in every form a file could hold it. */
function login(): string[] {
  return credentialForms(registry.username, registry.password)
}

/** Where the login was seen on the runner while an action ran. */
interface LoginSightings {
  /** Polls that found the login in the user's ~/.docker/config.json. */
  userConfigWithLogin: number
  /** Each directory under RUNNER_TEMP whose config.json held the login, with the modes seen. */
  privateConfigs: Array<{ dirMode: string; fileMode: string }>
}

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8)
}

/**
 * Looks at the user's docker config and RUNNER_TEMP every few milliseconds
 * while the action runs in this process (it waits on the docker CLI, so the
 * timer gets its turns): a login that lands anywhere for the length of a
 * build is seen.
 */
function watchLogin(): { stop(): LoginSightings } {
  const seen: LoginSightings = { userConfigWithLogin: 0, privateConfigs: [] }
  const privateDirs = new Map<string, { dirMode: string; fileMode: string }>()
  const holdsLogin = (path: string) => {
    try {
      const text = readFileSync(path, 'utf8')
      return login().some(form => text.includes(form))
    } catch {
      return false
    }
  }
  const timer = setInterval(() => {
    if (holdsLogin(userConfig)) seen.userConfigWithLogin++
    let entries: string[] = []
    try {
      entries = readdirSync(runnerTemp)
    } catch {
      return
    }
    for (const entry of entries) {
      const config = join(runnerTemp, entry, 'config.json')
      try {
        if (!privateDirs.has(entry) && holdsLogin(config))
          privateDirs.set(entry, {
            dirMode: modeOf(join(runnerTemp, entry)),
            fileMode: modeOf(config)
          })
      } catch {
        // removed between the read and the stat
      }
    }
  }, 5)
  return {
    stop() {
      clearInterval(timer)
      seen.privateConfigs = [...privateDirs.values()]
      return seen
    }
  }
}

function expectPasswordHidden(r: BuildRun): void {
  const masks = r.output.split('\n').filter(l => l.includes(registry.password))
  expect(masks.length).toBeGreaterThan(0)
  for (const line of masks) expect(line).toBe(`::add-mask::${registry.password}`)
  expect(visibleLog(r.output)).not.toContain(registry.password)
  expect(r.summary).not.toContain(registry.password)
  expect(r.outputs.images ?? '').not.toContain(registry.password)
}

beforeAll(async () => {
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  registry = await startRegistry()
  home = mkdtempSync(join(tmpdir(), 'deploykit-runner-home-'))
  userConfig = join(home, '.docker', 'config.json')
  mkdirSync(join(home, '.docker'))
  writeFileSync(userConfig, JSON.stringify({ auths: { 'registry.example.com': {} } }))
  userConfigHash = hashOf(userConfig)
  runnerTemp = mkdtempSync(join(tmpdir(), 'deploykit-runner-temp-'))
  files = new ActionFiles()
  project = mkdtempSync(join(tmpdir(), 'deploykit-build-project-'))
  namespace = `deploykit-${randomBytes(3).toString('hex')}`
  writeProject(project, randomBytes(8).toString('hex'))
  files.setEnv({
    HOME: home,
    DOCKER_CONFIG: undefined,
    RUNNER_TEMP: runnerTemp,
    GITHUB_SHA: SHA,
    GITHUB_REPOSITORY: 'example/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_ACTOR: 'octocat'
  })
})

afterAll(async () => {
  if (registry) {
    await registry.stop()
    await removeUntaggedStages()
  }
  files?.remove()
  if (project) rmSync(project, { recursive: true, force: true })
  if (runnerTemp) rmSync(runnerTemp, { recursive: true, force: true })
  if (home) rmSync(home, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

describe('a push to the default branch, with buildx', () => {
  let cold: BuildRun

  let sightings: LoginSightings

  it('builds both images, pushes every tag and outputs the registry digests', async () => {
    branchPush('main')
    const watch = watchLogin()
    try {
      cold = await build(baseInputs())
    } finally {
      sightings = watch.stop()
    }
    await expectPushed(cold)
    expect(cold.output).toMatch(
      /^Building api, web with buildx \(builder default, docker driver\); tags: main, latest, sha-a1b2c3d$/m
    )
    // Both builds ran at once through BuildKit: each one's log lines carry its name.
    expect(cold.output).toMatch(/^\[api\] \$ docker buildx build .* --load /m)
    expect(cold.output).toMatch(/^\[api\] #\d+ \[build \d\/\d\] RUN /m)
    expect(cold.output).toMatch(/^\[web\] #\d+ \[\d\/\d\] COPY www /m)
    expectPushedAfterEveryBuild(cold)
    expectPasswordHidden(cold)
  })

  it('labels the images with OCI metadata from the GitHub context', async () => {
    const labels = await labelsOf(cold.images.api.refs[0])
    expect(labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/example/app',
      'org.opencontainers.image.url': 'https://github.com/example/app',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.version': 'main',
      'org.opencontainers.image.title': 'api'
    })
    const created = Date.parse(labels['org.opencontainers.image.created'])
    expect(Math.abs(Date.now() - created)).toBeLessThan(10 * 60_000)
    expect((await labelsOf(cold.images.web.refs[0]))['org.opencontainers.image.title']).toBe('web')
  })

  it('passes build-args and builds only up to the target stage', async () => {
    const api = await runChecked('docker', ['run', '--rm', cold.images.api.digest])
    expect(api.stdout.trim()).toBe('version=1.2.3')
    const debug = await run('docker', [
      'run',
      '--rm',
      cold.images.api.digest,
      'cat',
      '/srv/debug.txt'
    ])
    expect(debug.code).not.toBe(0)
    const web = await runChecked('docker', ['run', '--rm', cold.images.web.digest])
    expect(web.stdout.trim()).toBe('hello from build-args')
  })

  it('writes the references and digests to the summary', () => {
    expect(cold.summary).toContain('<h3>Images</h3>')
    for (const image of Object.values(cold.images)) {
      expect(cold.summary).toContain(`<code>${image.digest}</code>`)
      expect(cold.summary).toContain(`<code>${image.refs[1]}</code>`)
    }
  })

  it('logs in only in a private DOCKER_CONFIG under RUNNER_TEMP, removed at the end', () => {
    // The user's config never held the login, not even for a moment of the run.
    expect(sightings.userConfigWithLogin).toBe(0)
    expect(hashOf(userConfig)).toBe(userConfigHash)
    // The login went to a directory of the run's own that only the runner user can read.
    expect(sightings.privateConfigs).toEqual([{ dirMode: '700', fileMode: '600' }])
    expect(filesHolding([runnerTemp, home], login())).toEqual([])
    expect(readdirSync(runnerTemp)).toEqual([])
  })

  it('serves a second build with no change from the layer cache', async () => {
    const cached = await build(baseInputs())
    expect(cached.failed).toBe(false)
    expect(cached.output).toMatch(/api: built in [\d.]+s \(([1-9]\d*)\/\1 steps cached\)/)
    expect(cached.output).toMatch(/web: built in [\d.]+s \(([1-9]\d*)\/\1 steps cached\)/)
    reportTimes('buildx', cold, cached)
    expect(cached.summary).toMatch(/(\d+)\/\1 steps cached/)
    expectPasswordHidden(cached)
  })
})

/** The docker CLI as the runner user runs it, on the user's own config in the test home. */
function userDocker(args: string[]) {
  return runChecked('docker', args, {
    env: { ...process.env, DOCKER_CONFIG: join(home, '.docker') }
  })
}

describe("the user's docker context and buildx builder", () => {
  it('builds on the docker context the user switched to', async () => {
    branchPush('main')
    const name = `deploykit-ctx-${randomBytes(3).toString('hex')}`
    const endpoint = (
      await runChecked('docker', ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'])
    ).stdout.trim()
    await userDocker(['context', 'create', name, '--docker', `host=${endpoint}`])
    await userDocker(['context', 'use', name])
    try {
      const r = await build({ ...baseInputs(), images: `web=${join(project, 'web')}`, target: '' })
      expect(r.error).toBeUndefined()
      // buildx names the docker-driver builder of a context after it.
      expect(r.output).toMatch(
        new RegExp(`^Building web with buildx \\(builder ${name}, docker driver\\);`, 'm')
      )
      expect(r.images.web.digest).toMatch(/@sha256:[0-9a-f]{64}$/)
    } finally {
      await userDocker(['context', 'use', 'default'])
      await userDocker(['context', 'rm', name])
    }
  })

  it('keeps the buildx builder the user selected with `docker buildx use`', async () => {
    branchPush('main')
    const name = `deploykit-remote-${randomBytes(3).toString('hex')}`
    // Nothing listens there: nothing can be built on it, only selected.
    await userDocker([
      'buildx',
      'create',
      '--name',
      name,
      '--driver',
      'remote',
      'tcp://127.0.0.1:1'
    ])
    await userDocker(['buildx', 'use', name])
    try {
      // A wrong password stops the run at the login, right after the builder was
      // read, instead of waiting out buildx's 20 s for the builder's endpoint.
      const r = await build({
        ...baseInputs(),
        images: `web=${join(project, 'web')}`,
        target: '',
        password: `wrong-${registry.password}`
      })
      expect(r.output).toMatch(
        new RegExp(`^Building web with buildx \\(builder ${name}, remote driver\\);`, 'm')
      )
      expect((r.error as Error).message).toMatch(/^`docker login` exited with code 1: .*401/s)
      expect(r.output).not.toMatch(/\$ docker (buildx build|build|push)\b/)
    } finally {
      await userDocker(['buildx', 'rm', name])
    }
  })
})

function reportTimes(builder: string, cold: BuildRun, cached: BuildRun): void {
  process.stdout.write(
    `build-image ${builder}: cold run ${(cold.elapsedMs / 1000).toFixed(1)}s (${buildSeconds(cold)}); ` +
      `cached run ${(cached.elapsedMs / 1000).toFixed(1)}s (${buildSeconds(cached)})\n`
  )
}

describe('a push to the default branch, with the classic builder (builder: docker)', () => {
  let cold: BuildRun

  it('builds both images with docker build, pushes every tag and outputs the registry digests', async () => {
    branchPush('main')
    // New content, so this builder's first build is a cold one too.
    writeProject(project, randomBytes(8).toString('hex'))
    cold = await build({ ...baseInputs(), builder: 'docker' })
    await expectPushed(cold)
    expect(cold.output).toMatch(/^Building api, web with the classic builder; tags: /m)
    expect(cold.output).not.toMatch(/\$ docker buildx/)
    expect(cold.output).toMatch(/^\[api\] Step 1\/\d+ : FROM/m)
    expect(cold.output).toMatch(/^\[web\] Step 1\/\d+ : FROM/m)
    expectPushedAfterEveryBuild(cold)
    expectPasswordHidden(cold)
    const api = await runChecked('docker', ['run', '--rm', cold.images.api.digest])
    expect(api.stdout.trim()).toBe('version=1.2.3')
  })

  it('serves a second build with no change from the layer cache', async () => {
    const cached = await build({ ...baseInputs(), builder: 'docker' })
    expect(cached.failed).toBe(false)
    expect(cached.output).toMatch(/api: built in [\d.]+s \(([1-9]\d*)\/\1 steps cached\)/)
    expect(cached.output).toMatch(/web: built in [\d.]+s \(([1-9]\d*)\/\1 steps cached\)/)
    reportTimes('classic', cold, cached)
  })
})

describe('tags from the GitHub context', () => {
  it('tags a feature branch with its sanitised name and no latest', async () => {
    branchPush('feature/Login#2')
    const r = await build({
      ...baseInputs(),
      images: `web=${join(project, 'web')}`,
      target: ''
    })
    expect(r.failed).toBe(false)
    expect(r.images.web.tags).toEqual(['feature-Login-2', 'sha-a1b2c3d'])
    expect(await registry.tags(r.images.web.repository)).toEqual(
      expect.arrayContaining(['feature-Login-2', 'sha-a1b2c3d'])
    )
  })

  it('tags a v1.2.3 tag push 1.2.3, 1.2 and 1, plus the extra tags', async () => {
    files.setEnv({ GITHUB_REF: 'refs/tags/v1.2.3', GITHUB_REF_NAME: 'v1.2.3' })
    files.setEvent('push', {
      ref: 'refs/tags/v1.2.3',
      repository: { full_name: 'example/app', default_branch: 'main' }
    })
    const r = await build({
      ...baseInputs(),
      images: `api=${join(project, 'api')}:Dockerfile.prod`,
      tags: 'stable'
    })
    expect(r.failed).toBe(false)
    expect(r.images.api.tags).toEqual(['1.2.3', '1.2', '1', 'sha-a1b2c3d', 'stable'])
    expect((await labelsOf(r.images.api.refs[0]))['org.opencontainers.image.version']).toBe('1.2.3')
    const digest = r.images.api.digest.split('@')[1]
    expect(await registry.manifestDigest(r.images.api.repository, '1.2')).toBe(digest)
    expect(await registry.manifestDigest(r.images.api.repository, 'stable')).toBe(digest)
  })
})

describe('push: false and bad input', () => {
  it('builds with buildx and loads only, pushing nothing', async () => {
    branchPush('main')
    const r = await build({
      ...baseInputs(),
      images: `local-only=${join(project, 'web')}`,
      target: '',
      push: 'false',
      'default-tags': 'false',
      tags: 'dev'
    })
    expect(r.failed).toBe(false)
    expect(r.images['local-only']).toMatchObject({ pushed: false, digest: '', tags: ['dev'] })
    expect(r.images['local-only'].imageId).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(r.output).toMatch(/\$ docker buildx build .* --load /)
    expect(r.output).not.toMatch(/\$ docker push/)
    expect(await localImages()).toContain(`${registry.address}/${namespace}/local-only:dev`)
    expect(await registry.tags(`${registry.address}/${namespace}/local-only`)).toEqual([])
  })

  it.each([
    [
      'buildx',
      {},
      /`docker buildx build` exited with code 1: .*exit code: 3/,
      /^\[broken\] #\d+ [\d.]+ compiling$/m
    ],
    [
      'the classic builder',
      { builder: 'docker' },
      /`docker build` exited with code 3/,
      /^\[broken\] compiling$/m
    ]
  ])(
    'pushes nothing when one of the images fails to build with %s, naming it',
    async (_builder, builder, error, log) => {
      branchPush('main')
      const broken = join(project, 'broken')
      const failedStep = `failed-step-${randomBytes(4).toString('hex')}`
      mkdirSync(broken, { recursive: true })
      writeFileSync(
        join(broken, 'Dockerfile'),
        `FROM ${BUSYBOX_IMAGE}\nRUN echo compiling && exit 3 # ${failedStep}\n`
      )
      const fresh = `deploykit-${randomBytes(3).toString('hex')}`
      const r = await build({
        ...baseInputs(),
        ...builder,
        registry: `${registry.address}/${fresh}`,
        images: `web=${join(project, 'web')}\nbroken=${broken}`,
        target: ''
      })
      expect(String(r.error)).toMatch(/^Error: build failed for broken \(see the errors above\)$/)
      expect(r.output).toMatch(new RegExp(`^::error::broken: ${error.source}`, 'm'))
      expect(r.output).toMatch(log)
      // web built into the engine, and waited there for broken.
      expect(await localImages()).toContain(`${registry.address}/${fresh}/web:main`)
      expect(r.output).not.toMatch(/\$ docker push/)
      expect(await registry.tags(`${registry.address}/${fresh}/web`)).toEqual([])
      // The failed RUN step's container is removed, not left on the runner. Found by
      // its command, as others may make and remove containers on the engine meanwhile.
      const commands = await run('docker', ['ps', '-a', '--no-trunc', '--format', '{{.Command}}'])
      expect(commands.stdout).not.toContain(failedStep)
    }
  )

  // Inputs are made lazily: the project directory exists only once beforeAll ran.
  it.each([
    [
      'a missing context',
      () => ({ images: `api=${join(project, 'no-such-context')}` }),
      /Input 'images': the build context .* of api is not a directory/
    ],
    [
      'a missing Dockerfile',
      () => ({ images: `api=${join(project, 'api')}` }),
      /Input 'images': the Dockerfile .*api\/Dockerfile" of api does not exist/
    ],
    ['an invalid tag', () => ({ tags: 'ok\n-bad' }), /Input 'tags': "-bad" is not a valid tag/],
    [
      'a target that is no stage',
      () => ({ target: 'api=nope' }),
      /has no stage "nope"\. Its stages are: build, runtime, debug/
    ],
    [
      'a registry cache, which the docker driver cannot export',
      () => ({ cache: 'registry' }),
      /^Input 'cache': is registry, but the current buildx builder "default" uses the docker driver, which cannot export a build cache\. .*docker\/setup-buildx-action .*`docker buildx create --use`/
    ],
    [
      'a gha cache, which the docker driver cannot export',
      () => ({ cache: 'gha' }),
      /^Input 'cache': is gha, .*To cache in the GitHub Actions cache, add docker\/setup-buildx-action/
    ],
    [
      'two platforms on the docker driver',
      () => ({ platforms: 'linux/amd64,linux/arm64' }),
      /^Input 'platforms': lists 2 platforms \(linux\/amd64, linux\/arm64\), but the current buildx builder "default" uses the docker driver, which builds one platform at a time/
    ],
    [
      'a platform the engine does not run',
      () => ({ platforms: 'linux/s390x' }),
      /^Input 'platforms': is linux\/s390x, but .* which builds only what the engine runs: linux\/amd64\b.*\. Add docker\/setup-qemu-action/
    ]
  ])('rejects %s before anything is built', async (_what, inputs, message) => {
    branchPush('main')
    const before = await localImages()
    const r = await build({
      ...baseInputs(),
      'default-tags': 'false',
      tags: 'never-built',
      ...inputs()
    })
    expect(r.error).toBeInstanceOf(InputError)
    expect((r.error as Error).message).toMatch(message)
    expect(r.output).not.toMatch(BUILD_OR_PUSH)
    expect(await localImages()).toEqual(before)
    expect(await registry.tags(`${registry.address}/${namespace}/api`)).not.toContain('never-built')
  })
})
