import * as core from '@actions/core'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { errorMessage } from '../core/errors.js'
import type { StageResult } from '../core/entry.js'
import { buildImage, buildkitFlagsFor, buildRequest, ImageReport, pushImage } from './build.js'
import { credentialStoreHosts, DockerCli, dockerCli } from './docker-cli.js'
import {
  makePrivateConfigDir,
  PRIVATE_CONFIG_PREFIX,
  privateConfigFile,
  readUserConfigFile,
  userDockerConfigDir,
  writePrivateConfig
} from './docker-config.js'
import {
  BuildxBuilder,
  checkBuilderCanBuild,
  parseBuildxInspect,
  usesContainerdImageStore
} from './buildx-builder.js'
import { buildxInspect, buildxVersion, dockerDriverStatus, dockerLogin } from './docker-commands.js'
import { cacheText, setImagesOutput, setMetadataOutputs, writeSummary } from './report.js'
import { writeSecretFiles } from './secret-files.js'
import { BuildSettings, chooseBuilder, RegistryLogin } from './settings.js'
import { mapLimited } from '../core/fleet.js'
import { logRemote } from '../core/log.js'

/** Builds at once; each build already uses several cores, and more fight over the engine. */
const PARALLEL_BUILDS = 2

/** Runs `fn` on every item; when any fails, the others still finish, then one error names all failures. */
async function allOrReport<I extends { name: string }, O>(
  items: readonly I[],
  what: string,
  fn: (item: I) => Promise<O>
): Promise<O[]> {
  const failures: string[] = []
  const results = await mapLimited(items, PARALLEL_BUILDS, async item => {
    try {
      return await fn(item)
    } catch (err) {
      core.error(`${item.name}: ${errorMessage(err)}`)
      failures.push(item.name)
      return undefined
    }
  })
  if (failures.length > 0) {
    throw new Error(`${what} failed for ${failures.join(', ')} (see the errors above)`)
  }
  return results as O[]
}

const BUILD_TEMP_PREFIX = 'deploykit-build-'
/** The directories this run made, for the post step to remove when the run was killed. */
const STATE_DIRS = { dockerConfig: 'docker-config', buildTemp: 'build-temp' } as const

function runnerTemp(): string {
  return process.env.RUNNER_TEMP || tmpdir()
}

async function checkEngine(cli: DockerCli): Promise<void> {
  const probe = await cli.run(['version', '--format', '{{.Server.Version}}'], { quiet: true })
  if (probe.code !== 0) {
    throw new Error(
      `the Docker engine does not answer (\`docker version\`: ${probe.stderr.trim().split('\n').pop()})`
    )
  }
}

/** The builder buildx would use: BUILDX_BUILDER, else the one `docker buildx use` chose. */
async function currentBuildxBuilder(cli: DockerCli): Promise<BuildxBuilder> {
  const inspect = await cli.run(buildxInspect(), { quiet: true })
  if (inspect.code !== 0) {
    throw new Error(
      `\`docker buildx inspect\` cannot read the current builder: ${inspect.stderr.trim().split('\n').pop()}`
    )
  }
  const builder = parseBuildxInspect(inspect.stdout)
  const status = await cli.run(dockerDriverStatus(), { quiet: true })
  return { ...builder, containerdImageStore: usesContainerdImageStore(status.stdout) }
}

/**
 * A DOCKER_CONFIG of this run's own for the login (see docker-config.ts),
 * with the user's settings, contexts and buildx builders. Recorded for the
 * post step before anything is written into it.
 */
async function privateDockerConfig(login: RegistryLogin): Promise<string> {
  const userDir = userDockerConfigDir()
  const user = readUserConfigFile(userDir, message => core.warning(message))
  let storeHosts: string[] = []
  if (user.credsStore) {
    try {
      storeHosts = await credentialStoreHosts(user.credsStore)
    } catch (err) {
      core.warning(
        `The credential helper "${user.credsStore}" named in ${userDir} cannot list its logins (${errorMessage(err)}); this run uses none of them, only its own login to ${login.host}`
      )
    }
  }
  const dir = makePrivateConfigDir(runnerTemp())
  core.saveState(STATE_DIRS.dockerConfig, dir)
  writePrivateConfig(dir, privateConfigFile(user, login.host, storeHosts), userDir)
  return dir
}

function prefixFor(s: BuildSettings, name: string): string {
  return s.images.length > 1 ? `[${name}] ` : ''
}

/**
 * Reads the inputs and builds. With a login, every docker and buildx command
 * runs on a DOCKER_CONFIG of this run's own (docker-config.ts). The
 * directories it makes are recorded for the post step before anything goes
 * into them, and removed when the run ends however it ends.
 */
export async function run(s: BuildSettings): Promise<StageResult> {
  if (!s.logout) {
    core.warning(
      'logout: false has no effect: the login lives in a DOCKER_CONFIG of this step alone, removed when it ends, so that no job leaves it on the runner. A later step that needs the registry logs in itself (docker/login-action)'
    )
  }
  const tempDir = mkdtempSync(join(runnerTemp(), BUILD_TEMP_PREFIX))
  core.saveState(STATE_DIRS.buildTemp, tempDir)
  let dockerConfig: string | undefined
  try {
    dockerConfig = s.login ? await privateDockerConfig(s.login) : undefined
    const cli = dockerCli(dockerConfig ? { DOCKER_CONFIG: dockerConfig } : {})
    return await buildAll(s, cli, tempDir)
  } finally {
    removeRunDirs([tempDir, dockerConfig])
  }
}

/**
 * Builds every image, two at a time. Images built into the engine (the
 * classic builder, buildx's docker driver) are pushed only once all of them
 * built, so a failed build leaves the registry untouched; other buildx
 * drivers push as they build. Sets `images` and writes the summary.
 */
async function buildAll(s: BuildSettings, cli: DockerCli, tempDir: string): Promise<StageResult> {
  await checkEngine(cli)
  const hasBuildx = (await cli.run(buildxVersion(), { quiet: true })).code === 0
  const { builder, warnings } = chooseBuilder(s, hasBuildx)
  const buildxBuilder = builder === 'buildx' ? await currentBuildxBuilder(cli) : undefined
  if (buildxBuilder) checkBuilderCanBuild(s, buildxBuilder)
  for (const warning of [...s.warnings, ...warnings]) core.warning(warning)
  // The docker driver builds into the engine like the classic builder; pushing
  // after every build succeeded keeps a failed build from publishing the others.
  const pushInBuild = s.push && buildxBuilder !== undefined && buildxBuilder.driver !== 'docker'
  logRemote(
    `Building ${s.images.map(i => i.name).join(', ')} with ${buildxBuilder ? `buildx (builder ${buildxBuilder.name}, ${buildxBuilder.driver} driver)` : 'the classic builder'}; tags: ${s.tags.join(', ')}`
  )

  const started = Date.now()
  const created = s.created
  const secretFiles = writeSecretFiles(s.buildkit.secrets, tempDir)
  if (s.login) {
    await cli.checked(dockerLogin(s.login.host, s.login.username), { stdin: s.login.password })
  }
  const reports: ImageReport[] = await allOrReport(s.images, 'build', image =>
    buildImage(cli, buildRequest(image, s, created), {
      builder,
      pushInBuild,
      cache: s.cache,
      buildkit: builder === 'buildx' ? buildkitFlagsFor(s, image, secretFiles) : undefined,
      version: s.version,
      tempDir,
      prefix: prefixFor(s, image.name)
    })
  )
  for (const r of reports) {
    logRemote(
      `${r.name}: built in ${r.buildSeconds.toFixed(1)}s${cacheText(r) ? ` (${cacheText(r)})` : ''}`
    )
  }
  if (s.push && !pushInBuild) {
    await allOrReport(reports, 'push', r => pushImage(cli, r, prefixFor(s, r.name)))
  }
  for (const r of reports.filter(r => r.pushed)) {
    if (!r.digest) throw new Error(`${r.name}: pushed, but the registry digest could not be read`)
    logRemote(`${r.name}: ${r.digest}`)
  }
  setImagesOutput(reports)
  setMetadataOutputs(reports)
  await writeSummary(reports, Date.now() - started)
  const pushed = reports.filter(r => r.pushed).map(r => r.name)
  return {
    ok: true,
    message:
      pushed.length > 0
        ? `Built and pushed ${pushed.join(', ')}`
        : `Built ${reports.map(r => r.name).join(', ')}`
  }
}

/** Removes what a run made, leaving anything that is not one of its directories alone. */
function removeRunDirs(dirs: ReadonlyArray<string | undefined>): boolean {
  let removed = false
  for (const dir of dirs) {
    const name = dir ? basename(dir) : ''
    if (!dir || !(name.startsWith(PRIVATE_CONFIG_PREFIX) || name.startsWith(BUILD_TEMP_PREFIX)))
      continue
    if (!existsSync(dir)) continue
    rmSync(dir, { recursive: true, force: true })
    removed = true
  }
  return removed
}

/**
 * The post step (action.yml `post:`, `post-if: always()`): after a run that
 * was killed before its own cleanup, removes its DOCKER_CONFIG, and with it
 * the registry login, and its build files.
 */
export function post(): void {
  const dockerConfig = core.getState(STATE_DIRS.dockerConfig)
  if (removeRunDirs([dockerConfig]))
    logRemote(`Removed the registry login left by this run in ${dockerConfig}`)
  removeRunDirs([core.getState(STATE_DIRS.buildTemp)])
}
