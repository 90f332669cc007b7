// Seed 002's flow (Go API + worker, Nuxt frontend, PostgreSQL, Redis; branch
// main) through all three jobs of .github/workflows/deploy.yml: `test` runs the
// backend's Go tests with the runner's Go, `build` builds both multi-stage
// Dockerfile.prod images and pushes them to the testbed's password-protected
// registry, and `deploy` runs them on the server by the digests the build job
// pushed, then checks /health and /ready from the server. A release whose
// /ready reports Redis down is rolled back to the previous digests; a release
// whose tests fail never reaches the build, and rollback.yml goes back by hand.
// The app's settings are in its repository, in .github/deploy-kit.yml: deploy.yml
// and rollback.yml both read it, so the caller passes them only what differs.
// actions/checkout is a stand-in (flow.ts); everything else is real.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { visibleLog } from '../helpers/capture-output.js'
import { ensureBinary } from '../../testbed/debian-packages.js'
import { httpText, removeComposeProject } from '../../testbed/apps.js'
import {
  FlowRun,
  FlowTestbed,
  gitRemote,
  GitRemote,
  releaseLogLines,
  startFlowTestbed
} from '../../testbed/flow.js'
import {
  COMPOSE_FILE,
  GoNuxtPorts,
  IMAGES,
  removeBuildStages,
  writeGoNuxtApp
} from '../../testbed/go-nuxt-app.js'
import { freePort } from '../../testbed/ports.js'
import { Registry } from '../../testbed/registry.js'
import { runChecked } from '../../testbed/run.js'

let bed: FlowTestbed
let registry: Registry
let remote: GitRemote
let workTree: string
let serverDir: string
let ports: GoNuxtPorts
const project = `dkgonuxt${process.pid % 10000}`
const POSTGRES_PASSWORD = 'pg-Secret-7f3a9c'

interface BuiltImage {
  digest: string
  refs: string[]
}

beforeAll(async () => {
  ensureBinary('/usr/bin/go', 'golang-go')
  bed = await startFlowTestbed('go-nuxt', { registry: true })
  registry = bed.registry as Registry
  ports = { api: await freePort(), frontend: await freePort() }
  workTree = join(bed.root, 'repo')
  remote = gitRemote(workTree, bed.root, 'main')
  serverDir = join(bed.root, 'srv', 'go-nuxt')
  mkdirSync(join(bed.root, 'runner-docker'))
  // The settings of the deploy and of the rollback, committed with the app.
  mkdirSync(join(workTree, '.github'))
  writeFileSync(
    join(workTree, '.github', 'deploy-kit.yml'),
    `app-dir: ${serverDir}
repository: ${remote.bare}
compose-files: ${COMPOSE_FILE}
env-file: .env
project-name: ${project}
required-env: POSTGRES_PASSWORD
`
  )
}, 30 * 60_000)

afterAll(async () => {
  await removeComposeProject(project)
  await removeBuildStages()
  await bed?.stop()
})

function runArgs(sha: string): Parameters<FlowTestbed['workflow']> {
  return [
    {
      'test-framework': 'go',
      'test-working-directory': 'backend',
      images: `${IMAGES.backend}=./backend:Dockerfile.prod\n${IMAGES.frontend}=./frontend:Dockerfile.prod`,
      registry: `${registry.address}/acme`,
      'registry-username': registry.username,
      // Not `pull: true` as in the example: the stack's PostgreSQL and Redis come from the
      // testbed's local image, which no registry serves. `up` pulls the missing app images.
      'wait-timeout': 60,
      'smoke-urls': `http://127.0.0.1:${ports.api}/health\nhttp://127.0.0.1:${ports.api}/ready components.database=ok components.redis=ok`,
      'smoke-from': 'server',
      'smoke-expect-json': 'status=ok',
      'smoke-wait-timeout': 8
    },
    sha,
    {
      secrets: {
        'registry-password': registry.password,
        env: `POSTGRES_PASSWORD=${POSTGRES_PASSWORD}`
      },
      env: {
        GITHUB_REF: 'refs/heads/main',
        GITHUB_ACTOR: 'octocat',
        DOCKER_CONFIG: join(bed.root, 'runner-docker'),
        // The module has no dependencies: nothing may be fetched, and the build cache stays in the temp dir.
        GOCACHE: join(bed.root, 'gocache'),
        GOPROXY: 'off',
        GOFLAGS: '-mod=mod'
      },
      checkoutFrom: remote.bare,
      // The build job's runner is gone after the job, and its images with it: the server
      // (the same Docker engine here) must pull them from the registry by digest.
      afterJob: async (name, job) => {
        if (name !== 'build' || job.result !== 'success') return
        const images = Object.values(JSON.parse(job.outputs.images) as Record<string, BuiltImage>)
        await runChecked('docker', ['image', 'rm', ...images.flatMap(i => i.refs)])
      }
    }
  ]
}

const workflow = (sha: string) => bed.workflow(...runArgs(sha))
const deploy = (sha: string) => bed.deploy(...runArgs(sha))

function builtImages(flow: FlowRun): Record<string, BuiltImage> {
  return JSON.parse(flow.jobs.build.outputs.images) as Record<string, BuiltImage>
}

/** The image reference each service's container was created from. */
async function runningImages(): Promise<Record<string, string>> {
  const ids = await runChecked('docker', [
    'ps',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${project}`
  ])
  const { stdout } = await runChecked('docker', [
    'inspect',
    '--format',
    '{{index .Config.Labels "com.docker.compose.service"}} {{.Config.Image}}',
    ...ids.stdout.trim().split('\n')
  ])
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map(l => l.split(' '))
  )
}

const envFile = () => readFileSync(join(serverDir, '.env'), 'utf8')
const everyOutput = (flow: FlowRun) =>
  Object.values(flow.jobs)
    .flatMap(j => j.steps.map(s => `${visibleLog(s.run?.output ?? '')}${s.run?.summary ?? ''}`))
    .join('\n')

describe('seed 002 flow through deploy.yml: test, build, deploy by digest', () => {
  let first: Record<string, BuiltImage>
  let v1: string

  it('tests, builds and pushes both images, and runs exactly those digests', async () => {
    writeGoNuxtApp(workTree, { version: 'v1', redisPort: 6379 }, ports)
    v1 = await remote.commit('v1')
    const flow = await deploy(v1)
    if (flow.run.code !== 0) throw new Error(everyOutput(flow))
    expect(flow.jobs.test.result).toBe('success')
    expect(flow.jobs.test.steps.find(s => s.uses === '$/test')?.run?.outputs.passed).toBe('2')
    expect(flow.jobs.build.result).toBe('success')
    expect(flow.jobs.deploy.result).toBe('success')

    first = builtImages(flow)
    const backend = first[IMAGES.backend]
    const frontend = first[IMAGES.frontend]
    expect(backend.digest).toMatch(
      new RegExp(`^${registry.address}/acme/${IMAGES.backend}@sha256:[0-9a-f]{64}$`)
    )
    expect(backend.refs).toContain(`${registry.address}/acme/${IMAGES.backend}:main`)
    expect(envFile()).toBe(
      `POSTGRES_PASSWORD="${POSTGRES_PASSWORD}"\nGO_NUXT_BACKEND_IMAGE="${backend.digest}"\nGO_NUXT_FRONTEND_IMAGE="${frontend.digest}"\n`
    )
    expect(await runningImages()).toMatchObject({
      api: backend.digest,
      worker: backend.digest,
      frontend: frontend.digest
    })
    expect(JSON.parse(await httpText(`http://127.0.0.1:${ports.api}/ready`))).toEqual({
      status: 'ok',
      components: { database: 'ok', redis: 'ok' }
    })
    expect(await httpText(`http://127.0.0.1:${ports.frontend}/`)).toContain('v1')
    expect(everyOutput(flow)).not.toContain(POSTGRES_PASSWORD)
    expect(everyOutput(flow)).not.toContain(registry.password)
  })

  it('stops at the test job when a Go test fails: nothing is built and the server keeps v1', async () => {
    writeGoNuxtApp(workTree, { version: 'v1.1', redisPort: 6379, failingTest: true }, ports)
    const before = envFile()
    const jobs = await workflow(await remote.commit('a failing test'))
    expect(jobs.test.result).toBe('failure')
    expect(jobs.test.steps.find(s => s.uses === '$/test')?.run?.output).toContain(
      'file=backend/internal/health/ready_test.go,line=18'
    )
    expect(jobs.build.result).toBe('skipped')
    expect(jobs.deploy.result).toBe('skipped')
    expect(envFile()).toBe(before)
  })

  it('rolls back to the previous digests when the new release reports Redis down', async () => {
    writeGoNuxtApp(workTree, { version: 'v2', redisPort: 6380 }, ports)
    const flow = await deploy(await remote.commit('v2 with the wrong Redis port'))
    expect(flow.jobs.build.result).toBe('success')
    expect(builtImages(flow)[IMAGES.backend].digest).not.toBe(first[IMAGES.backend].digest)
    expect(flow.jobs.deploy.result).toBe('failure')
    expect(flow.jobs.deploy.outputs['rolled-back']).toBe('true')
    expect(flow.run.output).toContain('components.redis: expected "ok", got "down"')
    // The summary does not offer to go "back" to the release that was just rolled back.
    expect(flow.run.summary).not.toContain('To go back')
    expect(flow.run.output).not.toContain('restore it with rollback-to')

    expect(envFile()).toContain(`GO_NUXT_BACKEND_IMAGE="${first[IMAGES.backend].digest}"\n`)
    expect(await runningImages()).toMatchObject({
      api: first[IMAGES.backend].digest,
      frontend: first[IMAGES.frontend].digest
    })
    expect(JSON.parse(await httpText(`http://127.0.0.1:${ports.api}/version`))).toEqual({
      version: 'v1'
    })
    const log = releaseLogLines(
      readFileSync(join(serverDir, '.deploy-kit', 'releases.jsonl'), 'utf8')
    )
    const broken = log.find(x => x.status === 'started' && x.ref !== v1)?.id
    // The root action records a release succeeded only after its smoke check, which this one failed.
    expect(
      log
        .filter(x => x.id === broken)
        .map(x => x.status)
        .filter(Boolean)
    ).toEqual(['started', 'failed'])
    const rollback = log.find(x => x.rollbackOf)?.id
    expect(log.find(x => x.id === rollback)?.ref).toBe(v1)
    expect(log.filter(x => x.id === rollback).map(x => x.status)).toEqual(['started', 'succeeded'])
  })

  it('takes the fixed release, and its summary says how to go back to v1', async () => {
    writeGoNuxtApp(workTree, { version: 'v3', redisPort: 6379 }, ports)
    const flow = await deploy(await remote.commit('v3: Redis port fixed'))
    if (flow.run.code !== 0) throw new Error(everyOutput(flow))
    const built = builtImages(flow)
    expect(await runningImages()).toMatchObject({
      api: built[IMAGES.backend].digest,
      frontend: built[IMAGES.frontend].digest
    })
    expect(JSON.parse(await httpText(`http://127.0.0.1:${ports.api}/version`))).toEqual({
      version: 'v3'
    })
    expect(flow.run.outputs['previous-ref']).toBe(v1)
    expect(flow.run.summary).toContain(`To go back: the rollback workflow`)
    expect(flow.run.summary).toContain(v1.slice(0, 12))
  })

  it('goes back to v1 by hand through rollback.yml, with its digests', async () => {
    bed.api.calls.length = 0
    const v3 = remote.head()
    const jobs = await bed.rollback(
      {
        environment: 'staging',
        'environment-url': `http://127.0.0.1:${ports.api}/`,
        release: 'previous',
        'smoke-urls': `http://127.0.0.1:${ports.api}/ready components.redis=ok`,
        'smoke-from': 'server'
      },
      v3,
      { checkoutFrom: remote.bare }
    )
    const back = jobs.rollback.steps.find(step => step.uses === '$/ssh-deploy')?.run
    if (back?.code !== 0) throw new Error(JSON.stringify(jobs, null, 1))
    expect(jobs.rollback.result).toBe('success')
    expect(jobs.rollback.outputs['deployed-ref']).toBe(v1)
    // The rollback ran with the deploy's settings, from the repository's config file.
    const settings = jobs.rollback.steps.find(step => step.uses === '$/config')?.run
    expect(settings?.outputs['from-file'].split('\n')).toEqual([
      'app-dir',
      'repository',
      'compose-files',
      'env-file',
      'project-name',
      'required-env'
    ])
    // One deployment for the rollback: the one GitHub records for its job, with the job's outcome.
    expect(jobs.rollback.deployment).toEqual({
      environment: 'staging',
      url: `http://127.0.0.1:${ports.api}/`,
      statuses: ['in_progress', 'success']
    })
    expect(bed.api.calls.filter(c => c.path.includes('/deployments'))).toEqual([])
    expect(envFile()).toContain(`GO_NUXT_BACKEND_IMAGE="${first[IMAGES.backend].digest}"\n`)
    expect(await runningImages()).toMatchObject({ api: first[IMAGES.backend].digest })
    expect(JSON.parse(await httpText(`http://127.0.0.1:${ports.api}/version`))).toEqual({
      version: 'v1'
    })
  })
})
