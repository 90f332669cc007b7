// build-image with metadata-action's rules and BuildKit's inputs on the
// testbed's real buildx (0.13, docker driver on Docker 20.10) and a real
// registry: a v1.2.3 tag push tagged by semver rules, a secret a
// `RUN --mount=type=secret` reads and no layer, history or argv holds, and
// an inline cache a second build imports from the registry.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { visibleLog } from '../../helpers/capture-output.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { BUSYBOX_IMAGE, ensureBaseImages } from '../../../testbed/images.js'
import { ProcSampler, startProcSampler } from '../../../testbed/proc-sampler.js'
import { Registry, startRegistry } from '../../../testbed/registry.js'
import { run, runChecked } from '../../../testbed/run.js'
import { ActionFiles, BuildRun } from './harness.js'

const SHA = '860c1904a1ce19322e91ac35af1ab07466440c37'
const SECRET = `npm-token-${randomBytes(12).toString('hex')}`

let dockerPid: number | undefined
let registry: Registry
let files: ActionFiles
let project: string
let runnerTemp: string
let namespace: string
let sampler: ProcSampler | undefined
/** Image ids these builds wrote; only these are removed at the end. */
const builtIds = new Set<string>()

function writeProject(dir: string, nonce: string): void {
  mkdirSync(join(dir, 'app'), { recursive: true })
  writeFileSync(join(dir, 'app', 'nonce.txt'), nonce)
  writeFileSync(
    join(dir, 'app', 'Dockerfile'),
    [
      `FROM ${BUSYBOX_IMAGE}`,
      'COPY nonce.txt /nonce.txt',
      // The image keeps only the secret's hash: proof the build read it, and nothing to leak.
      'RUN --mount=type=secret,id=npm sha256sum /run/secrets/npm | cut -d" " -f1 > /npm.sha256',
      'RUN echo built > /built.txt',
      'CMD ["cat", "/built.txt"]',
      ''
    ].join('\n')
  )
  mkdirSync(join(dir, 'agent'), { recursive: true })
  writeFileSync(
    join(dir, 'agent', 'Dockerfile'),
    [
      `FROM ${BUSYBOX_IMAGE}`,
      // BuildKit forwards the agent's socket into this step only.
      'RUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && echo "agent at $SSH_AUTH_SOCK" > /agent.txt',
      'RUN test ! -e /run/buildkit/ssh_agent.0',
      ''
    ].join('\n')
  )
}

function tagPush(tag: string): void {
  files.setEnv({ GITHUB_REF: `refs/tags/${tag}`, GITHUB_REF_NAME: tag, GITHUB_EVENT_NAME: 'push' })
  files.setEvent('push', {
    ref: `refs/tags/${tag}`,
    base_ref: 'refs/heads/main',
    after: SHA,
    repository: {
      name: 'app',
      full_name: 'example/app',
      html_url: 'https://github.com/example/app',
      description: 'The example app',
      license: { spdx_id: 'MIT' },
      default_branch: 'main'
    }
  })
}

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    images: `app=${join(project, 'app')}`,
    registry: `${registry.address}/${namespace}`,
    username: registry.username,
    password: registry.password,
    tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=sha',
    flavor: 'latest=auto',
    secrets: `npm=${SECRET}`,
    ...extra
  }
}

async function build(values: Record<string, string>): Promise<BuildRun> {
  const r = await files.run(values)
  for (const m of r.output.matchAll(/ writing image sha256:([0-9a-f]{64})\b/g)) builtIds.add(m[1])
  return r
}

/** The image config the registry serves for a tag (the inline cache lives there). */
async function registryConfig(repository: string, tag: string): Promise<Record<string, unknown>> {
  const path = repository.slice(registry.address.length + 1)
  const auth = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`
  const manifest = (await (
    await fetch(`http://${registry.address}/v2/${path}/manifests/${tag}`, {
      headers: {
        authorization: auth,
        accept:
          'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json'
      }
    })
  ).json()) as { config: { digest: string } }
  const res = await fetch(`http://${registry.address}/v2/${path}/blobs/${manifest.config.digest}`, {
    headers: { authorization: auth }
  })
  return (await res.json()) as Record<string, unknown>
}

beforeAll(async () => {
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  registry = await startRegistry()
  runnerTemp = mkdtempSync(join(tmpdir(), 'buildmeta-runner-temp-'))
  project = mkdtempSync(join(tmpdir(), 'buildmeta-project-'))
  namespace = `buildmeta-${randomBytes(3).toString('hex')}`
  writeProject(project, randomBytes(8).toString('hex'))
  files = new ActionFiles()
  files.setEnv({
    RUNNER_TEMP: runnerTemp,
    GITHUB_SHA: SHA,
    GITHUB_REPOSITORY: 'example/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_ACTOR: 'octocat'
  })
})

afterAll(async () => {
  await sampler?.stop().catch(() => undefined)
  if (registry) await registry.stop()
  const ours = [...builtIds]
  if (ours.length) await run('docker', ['image', 'rm', ...ours])
  files?.remove()
  if (project) rmSync(project, { recursive: true, force: true })
  if (runnerTemp) rmSync(runnerTemp, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

describe("a v1.2.3 tag push, tagged by metadata-action's rules, with a build secret", () => {
  let first: BuildRun
  let ref: string

  it('tags 1.2.3, 1.2, sha-860c190 and latest, as metadata-action would, and pushes them', async () => {
    tagPush('v1.2.3')
    sampler = await startProcSampler({ SECRET })
    const argvSeen = sampler
    try {
      first = await build(inputs({ 'cache-to': 'type=inline' }))
    } finally {
      sampler = undefined
      const report = await argvSeen.stop()
      // No process on the machine had the value in its argv while the build ran.
      expect(report.argvHits).toEqual([])
      expect(report.processes).toBeGreaterThan(0)
    }
    expect(first.failed).toBe(false)
    const image = first.images.app
    expect(image.tags).toEqual(['1.2.3', '1.2', 'sha-860c190', 'latest'])
    expect(await registry.tags(image.repository)).toEqual(['1.2', '1.2.3', 'latest', 'sha-860c190'])
    const digest = image.digest.split('@')[1]
    expect(await registry.manifestDigest(image.repository, 'latest')).toBe(digest)
    ref = image.refs[0]

    expect(first.outputs.version).toBe('1.2.3')
    expect(first.outputs.digest).toBe(digest)
    expect(first.outputs.imageid).toBe(image.imageId)
    expect(first.outputs.tags.split('\n')).toEqual(image.refs)
    // buildx's metadata file as build-push-action outputs it; the docker driver names the image id.
    expect(JSON.parse(first.outputs.metadata)).toMatchObject({
      'containerimage.digest': image.imageId
    })
  })

  it("labels the image with metadata-action's OCI labels", async () => {
    const { stdout } = await runChecked('docker', [
      'image',
      'inspect',
      '--format',
      '{{json .Config.Labels}}',
      ref
    ])
    const labels = JSON.parse(stdout) as Record<string, string>
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': 'app',
      'org.opencontainers.image.description': 'The example app',
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.source': 'https://github.com/example/app',
      'org.opencontainers.image.url': 'https://github.com/example/app',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.version': '1.2.3'
    })
    expect(first.outputs.labels).toContain('org.opencontainers.image.version=1.2.3')
  })

  it('gave the secret to RUN --mount=type=secret, and no layer, history, log or argv holds it', async () => {
    const { stdout: hash } = await runChecked('docker', ['run', '--rm', ref, 'cat', '/npm.sha256'])
    expect(hash.trim()).toBe(createHash('sha256').update(SECRET).digest('hex'))

    const { stdout: history } = await runChecked('docker', ['history', '--no-trunc', ref])
    expect(history).toContain('sha256sum /run/secrets/npm')
    expect(history).not.toContain(SECRET)
    const { stdout: inspect } = await runChecked('docker', ['image', 'inspect', ref])
    expect(inspect).not.toContain(SECRET)
    // Every layer and the config, as `docker save` exports them.
    const tar = join(project, 'image.tar')
    await runChecked('docker', ['save', '-o', tar, ref])
    const saved = readFileSync(tar, 'latin1')
    expect(saved.length).toBeGreaterThan(10_000)
    expect(saved).not.toContain(SECRET)

    // buildx got a file, not the value: the command line shows only its path.
    expect(first.output).toMatch(/\$ docker buildx build .*--secret id=npm,src=\S+secret-0 /)
    expect(first.output).toContain(`::add-mask::${SECRET}`)
    expect(visibleLog(first.output)).not.toContain(SECRET)
    expect(JSON.stringify(first.outputs)).not.toContain(SECRET)
    // The file (mode 600 in the run's own directory) went with the run.
    expect(readdirSync(runnerTemp).filter(n => n.startsWith('deploykit-build-'))).toEqual([])
  })

  it('exported an inline cache into the pushed image, which a second build imports', async () => {
    const config = await registryConfig(first.images.app.repository, '1.2.3')
    expect(Object.keys(config)).toContain('moby.buildkit.cache.v0')

    const second = await build(
      inputs({ 'cache-from': `type=registry,ref=${first.images.app.repository}:1.2.3` })
    )
    expect(second.failed).toBe(false)
    expect(second.output).toMatch(
      /\$ docker buildx build .*--cache-from type=registry,ref=\S+:1\.2\.3 /
    )
    expect(second.output).toMatch(/importing cache manifest from \S+:1\.2\.3/)
    expect(second.output).toMatch(/^app: built in [\d.]+s \(3\/3 steps cached\)$/m)
    // Only the created label differs: every layer is the first build's.
    const layers = async (id: string) =>
      (await runChecked('docker', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', id]))
        .stdout
    expect(await layers(second.images.app.imageId)).toBe(await layers(first.images.app.imageId))
  })
})

describe('ssh and no-cache', () => {
  it("forwards the runner's SSH agent to RUN --mount=type=ssh, and rebuilds every step with no-cache", async () => {
    const agentDir = mkdtempSync(join(tmpdir(), 'buildmeta-agent-'))
    const socket = join(agentDir, 'agent.sock')
    const agent = await run('ssh-agent', ['-a', socket, '-s'])
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]
    try {
      expect(agent.code).toBe(0)
      files.setEnv({ SSH_AUTH_SOCK: socket })
      tagPush('v1.2.3')
      const values = {
        ...inputs(),
        images: `agent=${join(project, 'agent')}`,
        secrets: '',
        ssh: 'default',
        push: 'false'
      }
      const firstBuild = await build(values)
      expect(firstBuild.failed).toBe(false)
      expect(firstBuild.output).toMatch(/\$ docker buildx build .*--ssh default /)
      const { stdout } = await runChecked('docker', [
        'run',
        '--rm',
        firstBuild.images.agent.refs[0],
        'cat',
        '/agent.txt'
      ])
      expect(stdout.trim()).toMatch(/^agent at \/run\/buildkit\/ssh_agent\.\d+$/)

      const again = await build({ ...values, 'no-cache': 'true' })
      expect(again.failed).toBe(false)
      expect(again.output).toMatch(/\$ docker buildx build .*--no-cache /)
      expect(again.output).toMatch(/^agent: built in [\d.]+s \(0\/2 steps cached\)$/m)
    } finally {
      files.setEnv({ SSH_AUTH_SOCK: undefined })
      if (pid) process.kill(Number(pid))
      rmSync(agentDir, { recursive: true, force: true })
    }
  })
})

describe('what the docker driver cannot do is refused before anything builds', () => {
  it.each([
    [
      { provenance: 'mode=max' },
      /Input 'provenance': is mode=max, but the current buildx builder "default" uses the docker driver, which cannot attach attestations/
    ],
    [
      // Docker 20.10's own BuildKit (0.8) fails such a build with "unsupported frontend capability".
      { 'build-contexts': `shared=${tmpdir()}` },
      /Input 'build-contexts': needs BuildKit 0\.10 or later, but the current buildx builder "default" \(docker driver\) runs BuildKit 0\.8/
    ],
    [
      { 'cache-to': 'type=gha,mode=max' },
      /Input 'cache-to': is type=gha,mode=max, but .* which exports only an inline cache/
    ]
  ])('%p', async (extra, message) => {
    tagPush('v1.2.3')
    const r = await build(inputs(extra))
    expect(r.failed).toBe(true)
    expect(r.output).toMatch(message)
    expect(r.output).not.toMatch(/\$ docker (buildx build|build|login|push)\b/)
    expect(
      existsSync(runnerTemp) &&
        readdirSync(runnerTemp).filter(n => n.startsWith('deploykit-build-'))
    ).toEqual([])
  })
})
