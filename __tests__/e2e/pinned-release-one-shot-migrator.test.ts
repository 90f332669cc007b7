// Seed 000's flow (Plane: prebuilt images pinned by APP_RELEASE in the env
// file, a one-shot migrator that must exit 0, ports bound to 127.0.0.1 and
// checked from the server, one service known to report unhealthy) through
// .github/workflows/deploy.yml, with images pulled from the testbed's
// password-protected registry. A release whose web image fails its check
// is rolled back to the previous APP_RELEASE without the registry. The app's
// settings are in the caller's repository, in .github/deploy-kit.yml, which the
// deploy job checks out and the root action reads; the caller passes only the
// release it pins (vars) to the workflow.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { httpText, removeComposeProject } from '../../testbed/apps.js'
import {
  FlowRun,
  FlowTestbed,
  gitRemote,
  GitRemote,
  releaseLogLines,
  startFlowTestbed
} from '../../testbed/flow.js'
import { BUSYBOX_IMAGE } from '../../testbed/images.js'
import { freePort } from '../../testbed/ports.js'
import { Registry } from '../../testbed/registry.js'
import { runChecked } from '../../testbed/run.js'

let bed: FlowTestbed
let registry: Registry
let serverDir: string
let port: number
/** The caller's repository: its commit is the run's GITHUB_SHA, its checkout holds the config file. */
let caller: GitRemote
let sha: string
const project = `dkplaneflow${process.pid % 10000}`

/** A web image that serves /health with `ok` — or, for a broken release, without it. */
async function pushWebImage(tag: string, healthy: boolean): Promise<void> {
  const ctx = mkdtempSync(join(tmpdir(), 'deploykit-plane-image-'))
  mkdirSync(join(ctx, 'www'))
  writeFileSync(join(ctx, 'www', 'version.txt'), `${tag}\n`)
  if (healthy) writeFileSync(join(ctx, 'www', 'health'), 'ok\n')
  writeFileSync(
    join(ctx, 'Dockerfile'),
    `FROM ${BUSYBOX_IMAGE}\nCOPY www /www\nCMD ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]\n`
  )
  const ref = `${registry.address}/plane/web:${tag}`
  await runChecked('docker', ['build', '-q', '-t', ref, ctx], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' }
  })
  await runChecked('docker', ['push', ref])
  await runChecked('docker', ['image', 'rm', ref])
  rmSync(ctx, { recursive: true, force: true })
}

beforeAll(async () => {
  bed = await startFlowTestbed('plane', { registry: true })
  registry = bed.registry as Registry
  // Every image comes from the testbed registry: `pull` must not reach for Docker Hub.
  await runChecked('docker', ['tag', BUSYBOX_IMAGE, `${registry.address}/plane/base:1`])
  await runChecked('docker', ['push', `${registry.address}/plane/base:1`])
  await pushWebImage('v0.23', true)
  await pushWebImage('v0.24', false)
  port = await freePort()
  serverDir = join(bed.root, 'opt', 'plane')
  mkdirSync(serverDir, { recursive: true })
  writeFileSync(
    join(serverDir, 'docker-compose.production.yml'),
    `services:
  web:
    image: ${registry.address}/plane/web:\${APP_RELEASE}
    ports: ["127.0.0.1:${port}:8080"]
  space:
    image: ${registry.address}/plane/base:1
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:3000/"]
      interval: 1s
      retries: 1
  migrator:
    image: ${registry.address}/plane/base:1
    profiles: ["one-shot"]
    command: ["sh", "-c", "echo migrations applied for $$APP_RELEASE"]
    environment:
      APP_RELEASE: \${APP_RELEASE}
`
  )
  writeFileSync(join(serverDir, '.env.production'), 'WEB_URL=http://localhost\nAPP_RELEASE=v0.22\n')
  const callerDir = join(bed.root, 'caller')
  caller = gitRemote(callerDir, bed.root, 'main')
  mkdirSync(join(callerDir, '.github'))
  writeFileSync(join(callerDir, '.github', 'deploy-kit.yml'), configFile())
  sha = await caller.commit('deploy-kit settings')
}, 30 * 60_000)

/** The app's settings as the caller's repository holds them. */
function configFile(): string {
  return `# yaml-language-server: $schema=https://raw.githubusercontent.com/org/deploy-kit/v1/deploy-kit.schema.json
app-dir: ${serverDir}
source: none
compose-files: docker-compose.production.yml
env-file: .env.production
project-name: ${project}
pull: true
wait-ignore: space
migrate-tool: service
migrate-service: migrator
smoke-urls: http://127.0.0.1:${port}/health
smoke-from: server
smoke-expect-status: 200
smoke-wait-timeout: 8
`
}

afterAll(async () => {
  await removeComposeProject(project)
  await bed?.stop()
})

function deploy(release: string): Promise<FlowRun> {
  return bed.deploy(
    {
      // A version and a debug switch are plain: the workflow's vars input, not the env secret.
      // As a secret, `1` would be masked everywhere and every job output holding a 1 dropped.
      vars: `APP_RELEASE=${release}\nDEBUG=1`
    },
    sha,
    { checkoutFrom: caller.bare }
  )
}

describe('seed 000 flow through deploy.yml', () => {
  it('pulls the pinned release, runs the migrator and checks the service from the server', async () => {
    const { jobs, run: r } = await deploy('v0.23')
    if (r.code !== 0) throw new Error(r.output)
    expect(jobs.deploy.result).toBe('success')
    expect(r.output).toContain('migrations applied for v0.23')
    // vars are shown, not masked, and the job's outputs survive the runner's masking rules.
    expect(r.output).toContain('(vars: APP_RELEASE=v0.23, DEBUG=1)')
    expect(r.output).not.toMatch(/::add-mask::(v0\.23|1)$/m)
    expect(jobs.deploy.outputs['release-id']).toMatch(
      new RegExp(`^\\d{8}T\\d{6}Z-${sha.slice(0, 7)}-[0-9a-f]{4}$`)
    )
    expect(jobs.deploy.outputs['deployed-ref']).toBe(sha)
    expect(r.output).toContain(
      'Settings from .github/deploy-kit.yml: app-dir, source, compose-files'
    )
    expect(jobs.deploy.warnings).toEqual([])
    expect(Object.keys(jobs.deploy.outputs).sort()).toEqual([
      'backup-artifact-id',
      'backup-artifact-name',
      'backup-file',
      'backup-proof-seconds',
      'backup-runner-file',
      'backup-sha256',
      'backup-size',
      'backup-tables',
      'deployed-ref',
      'migrate-from-revision',
      'previous-ref',
      'release-id',
      'rolled-back'
    ])
    // A first deploy has no previous release, and this flow takes no backup and migrates with
    // its own one-shot service, so those outputs are empty, not missing.
    expect(jobs.deploy.outputs['previous-ref']).toBe('')
    expect(jobs.deploy.outputs['backup-file']).toBe('')
    expect(jobs.deploy.outputs['backup-sha256']).toBe('')
    expect(jobs.deploy.outputs['migrate-from-revision']).toBe('')
    expect(readFileSync(join(serverDir, '.env.production'), 'utf8')).toBe(
      'WEB_URL=http://localhost\nAPP_RELEASE="v0.23"\nDEBUG="1"\n'
    )
    expect(await httpText(`http://127.0.0.1:${port}/version.txt`)).toBe('v0.23\n')
  })

  it('goes back to the previous APP_RELEASE and its image when the new one fails its check', async () => {
    const { jobs } = await deploy('v0.24')
    expect(jobs.deploy.result).toBe('failure')
    expect(jobs.deploy.outputs['rolled-back']).toBe('true')
    expect(readFileSync(join(serverDir, '.env.production'), 'utf8')).toContain(
      'APP_RELEASE="v0.23"\n'
    )
    expect(await httpText(`http://127.0.0.1:${port}/version.txt`)).toBe('v0.23\n')
    const log = releaseLogLines(
      readFileSync(join(serverDir, '.deploy-kit', 'releases.jsonl'), 'utf8')
    )
    expect(log.filter(x => x.status === 'rolled-back')).toHaveLength(1)
  })
})
