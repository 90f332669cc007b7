// build-image's bundle under Node 24 on a runner that has no buildx: the
// machine's docker CLI and engine, in a mount namespace where the CLI plugin
// directories are empty (testbed/runner-without-plugins.ts), pushing to a
// real registry with password auth.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ActionRun, runAction } from '../testbed/action-runner.js'
import { ensureDocker, stopDocker } from '../testbed/docker.js'
import { BUSYBOX_IMAGE, ensureBaseImages } from '../testbed/images.js'
import { Registry, startRegistry } from '../testbed/registry.js'
import { run } from '../testbed/run.js'
import { WithoutDockerPlugins, withoutDockerPlugins } from '../testbed/without-docker-plugins.js'

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
