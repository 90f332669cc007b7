import * as core from '@actions/core'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { errorMessage } from '../core/errors.js'
import type { InputReader } from '../core/inputs.js'
import { buildImage, buildRequest, ImageReport, pushImage } from './build.js'
import { docker, dockerChecked } from './docker-cli.js'
import {
  BuildxBuilder,
  checkBuilderCanBuild,
  parseBuildxInspect,
  usesContainerdImageStore
} from './buildx-builder.js'
import {
  buildxInspect,
  buildxVersion,
  dockerDriverStatus,
  dockerLogin,
  dockerLogout
} from './docker-commands.js'
import { cacheText, setImagesOutput, writeSummary } from './report.js'
import { BuildSettings, chooseBuilder, readBuildSettings, RegistryLogin } from './settings.js'
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

async function checkEngine(): Promise<void> {
  const probe = await docker(['version', '--format', '{{.Server.Version}}'], { quiet: true })
  if (probe.code !== 0) {
    throw new Error(
      `the Docker engine does not answer (\`docker version\`: ${probe.stderr.trim().split('\n').pop()})`
    )
  }
}

/** The builder buildx would use: BUILDX_BUILDER, else the one `docker buildx use` chose. */
async function currentBuildxBuilder(): Promise<BuildxBuilder> {
  const inspect = await docker(buildxInspect(), { quiet: true })
  if (inspect.code !== 0) {
    throw new Error(
      `\`docker buildx inspect\` cannot read the current builder: ${inspect.stderr.trim().split('\n').pop()}`
    )
  }
  const builder = parseBuildxInspect(inspect.stdout)
  const status = await docker(dockerDriverStatus(), { quiet: true })
  return { ...builder, containerdImageStore: usesContainerdImageStore(status.stdout) }
}

async function login(l: RegistryLogin): Promise<void> {
  await dockerChecked(dockerLogin(l.host, l.username), { stdin: l.password })
}

function prefixFor(s: BuildSettings, name: string): string {
  return s.images.length > 1 ? `[${name}] ` : ''
}

/**
 * Builds every image, two at a time. Images built into the engine (the
 * classic builder, buildx's docker driver) are pushed only once all of them
 * built, so a failed build leaves the registry untouched; other buildx
 * drivers push as they build. Sets `images` and writes the summary.
 */
export async function run(read: InputReader): Promise<void> {
  const s = readBuildSettings(read)
  await checkEngine()
  const hasBuildx = (await docker(buildxVersion(), { quiet: true })).code === 0
  const { builder, warnings } = chooseBuilder(s, hasBuildx)
  const buildxBuilder = builder === 'buildx' ? await currentBuildxBuilder() : undefined
  if (buildxBuilder) checkBuilderCanBuild(s, buildxBuilder)
  for (const warning of warnings) core.warning(warning)
  // The docker driver builds into the engine like the classic builder; pushing
  // after every build succeeded keeps a failed build from publishing the others.
  const pushInBuild = s.push && buildxBuilder !== undefined && buildxBuilder.driver !== 'docker'
  logRemote(
    `Building ${s.images.map(i => i.name).join(', ')} with ${buildxBuilder ? `buildx (builder ${buildxBuilder.name}, ${buildxBuilder.driver} driver)` : 'the classic builder'}; tags: ${s.tags.join(', ')}`
  )

  const started = Date.now()
  const created = new Date()
  const tempDir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'deploykit-build-'))
  let loggedIn = false
  try {
    if (s.login) {
      await login(s.login)
      loggedIn = true
    }
    const reports: ImageReport[] = await allOrReport(s.images, 'build', image =>
      buildImage(buildRequest(image, s, created), {
        builder,
        pushInBuild,
        cache: s.cache,
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
      await allOrReport(reports, 'push', r => pushImage(r, prefixFor(s, r.name)))
    }
    for (const r of reports.filter(r => r.pushed)) {
      if (!r.digest) throw new Error(`${r.name}: pushed, but the registry digest could not be read`)
      logRemote(`${r.name}: ${r.digest}`)
    }
    setImagesOutput(reports)
    await writeSummary(reports, Date.now() - started)
  } finally {
    if (loggedIn && s.logout && s.login) await docker(dockerLogout(s.login.host), { quiet: true })
    rmSync(tempDir, { recursive: true, force: true })
  }
}
