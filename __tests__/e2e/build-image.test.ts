// build-image's bundle under Node 24, pushing to a real registry with
// password auth: on a runner that has no buildx (the machine's docker CLI and
// engine, in a mount namespace where the CLI plugin directories are empty,
// testbed/runner-without-plugins.ts), and killed in the middle of a build,
// then followed by its post step, as the runner does when a job is cancelled.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { credentialForms, filesHolding } from '../helpers/secret-files.js'
import { ActionRun, BundleRun, runAction, runBundle } from '../../testbed/action-runner.js'
import { ensureDocker, stopDocker } from '../../testbed/docker.js'
import { BUSYBOX_IMAGE, ensureBaseImages } from '../../testbed/images.js'
import { Registry, startRegistry } from '../../testbed/registry.js'
import { run } from '../../testbed/run.js'
import { WithoutDockerPlugins, withoutDockerPlugins } from '../../testbed/without-docker-plugins.js'

let dockerPid: number | undefined
let registry: Registry
let runner: WithoutDockerPlugins
let project: string
let dockerConfig: string
let namespace: string

beforeAll(async () => {
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  registry = await startRegistry()
  runner = withoutDockerPlugins()
  project = mkdtempSync(join(tmpdir(), 'deploykit-build-project-'))
  dockerConfig = mkdtempSync(join(tmpdir(), 'deploykit-docker-config-'))
  namespace = `deploykit-${randomBytes(3).toString('hex')}`
  mkdirSync(join(project, 'web'))
  // One stage: removing the tagged image (the registry's stop) removes its layers too.
  writeFileSync(
    join(project, 'web', 'Dockerfile'),
    `FROM ${BUSYBOX_IMAGE}\nCOPY nonce.txt /nonce.txt\nCMD ["cat", "/nonce.txt"]\n`
  )
  writeFileSync(join(project, 'web', 'nonce.txt'), randomBytes(8).toString('hex'))
})

afterAll(async () => {
  await registry?.stop()
  runner?.remove()
  if (project) rmSync(project, { recursive: true, force: true })
  if (dockerConfig) rmSync(dockerConfig, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

function build(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction(
    'build-image',
    {
      images: `web=${join(project, 'web')}`,
      registry: `${registry.address}/${namespace}`,
      username: registry.username,
      password: registry.password,
      'default-tags': 'false',
      tags: 'v1',
      ...inputs
    },
    { env: { DOCKER_CONFIG: dockerConfig }, launcher: runner.launcher }
  )
}

describe('a runner without buildx', () => {
  it('has the docker CLI and the engine, but no buildx', async () => {
    const [cmd, ...args] = runner.launcher
    const version = await run(cmd, [
      ...args,
      'docker',
      'version',
      '--format',
      '{{.Server.Version}}'
    ])
    expect(version.code).toBe(0)
    const buildx = await run(cmd, [...args, 'docker', 'buildx', 'version'])
    expect(buildx.code).not.toBe(0)
    expect(buildx.stderr).toMatch(/unknown command: docker buildx/)
  })

  it('refuses builder: buildx before anything is built, naming the fix', async () => {
    const r = await build({ builder: 'buildx' })
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /^::error::Input 'builder': is buildx, but `docker buildx` is not available on this runner\. Add docker\/setup-buildx-action before this step, or use builder: auto$/m
    )
    expect(r.output).not.toMatch(/\$ docker (build|login|push)\b/)
    expect(await registry.tags(`${registry.address}/${namespace}/web`)).toEqual([])
  })

  it('refuses several platforms, which need buildx', async () => {
    const r = await build({ platforms: 'linux/amd64,linux/arm64' })
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /^::error::Input 'platforms': several platforms \(linux\/amd64, linux\/arm64\) need buildx, which this runner does not have/m
    )
    expect(r.output).not.toMatch(/\$ docker (build|login|push)\b/)
  })

  it('falls back to the classic builder on builder: auto and pushes the digest the registry serves', async () => {
    const r = await build({})
    expect(r.code).toBe(0)
    expect(r.output).toMatch(/^Building web with the classic builder; tags: v1$/m)
    expect(r.output).toMatch(/^\$ docker build /m)
    const images = JSON.parse(r.outputs.images) as Record<string, { digest: string }>
    const repository = `${registry.address}/${namespace}/web`
    expect(images.web.digest).toMatch(new RegExp(`^${repository}@sha256:[0-9a-f]{64}$`))
    expect(await registry.manifestDigest(repository, 'v1')).toBe(images.web.digest.split('@')[1])
  })
})

/** Processes whose command line names `marker`: what a killed action left running. */
function processesNaming(marker: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

describe('a run killed in the middle of a build', () => {
  it('leaves no file holding the registry password once its post step ran', async () => {
    const home = mkdtempSync(join(tmpdir(), 'deploykit-runner-home-'))
    const runnerTemp = mkdtempSync(join(tmpdir(), 'deploykit-runner-temp-'))
    const slow = join(project, `slow-${randomBytes(4).toString('hex')}`)
    mkdirSync(slow)
    writeFileSync(join(slow, 'nonce.txt'), randomBytes(8).toString('hex'))
    writeFileSync(
      join(slow, 'Dockerfile'),
      `FROM ${BUSYBOX_IMAGE}\nCOPY nonce.txt /nonce.txt\nRUN echo slow-build-started && sleep 120\n`
    )
    const login = credentialForms(registry.username, registry.password)
    const inputs = {
      images: `slow=${slow}`,
      registry: `${registry.address}/${namespace}`,
      username: registry.username,
      password: registry.password,
      'default-tags': 'false',
      tags: 'v1'
    }
    // No DOCKER_CONFIG: the docker CLI's own default is the runner user's ~/.docker.
    const env = { HOME: home, RUNNER_TEMP: runnerTemp }
    const actionFile = join('build-image', 'action.yml')
    const action = parse(readFileSync(actionFile, 'utf8')) as {
      runs: { main: string; post?: string; 'post-if'?: string }
    }
    try {
      const main = await runBundle(join('build-image', action.runs.main), inputs, {
        env,
        killWhen: /^#\d+ [\d.]+ slow-build-started$/m
      })
      expect(main.signal).toBe('SIGKILL')
      // Killed while logged in: the login is on disk, in the run's own directory only.
      const whileKilled = filesHolding([runnerTemp, home], login)
      let post: BundleRun | undefined
      if (action.runs.post) {
        post = await runBundle(join('build-image', action.runs.post), inputs, {
          env,
          state: main.state
        })
      }
      expect(filesHolding([runnerTemp, home], login)).toEqual([])
      expect(whileKilled).toEqual([
        expect.stringMatching(new RegExp(`^${runnerTemp}/[^/]+/config\\.json$`))
      ])
      expect(action.runs).toMatchObject({ post: action.runs.main, 'post-if': 'always()' })
      expect(post?.code).toBe(0)
      expect(post?.output).toMatch(/^Removed the registry login left by this run in /m)
      expect(readdirSync(runnerTemp)).toEqual([])
    } finally {
      // The runner kills only the action's node process; its build goes on until stopped.
      for (const pid of processesNaming(slow)) process.kill(pid, 'SIGKILL')
      rmSync(home, { recursive: true, force: true })
      rmSync(runnerTemp, { recursive: true, force: true })
    }
  })
})
