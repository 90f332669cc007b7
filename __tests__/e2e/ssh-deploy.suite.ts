// ssh-deploy's bundle under Node 24 against the real testbed: sshd on
// loopback, the Docker engine and Compose, git remotes on disk. The
// "servers" share this machine's filesystem and Docker engine. Run twice:
// ssh-deploy.test.ts leaves Compose to detection (v2, as servers have it),
// ssh-deploy-compose-v1.test.ts chooses v1 and skips the tests no Compose
// command takes part in (describeAnyCompose, itAnyCompose).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEnv } from '../../src/ssh-deploy/env-file.js'
import { readReleaseLog } from '../../src/ssh-deploy/release-log.js'
import { visibleLog } from '../helpers/capture-output.js'
import { HOSTILE_LABEL, HOSTILE_LINES, serverCommandsActedOn } from '../helpers/hostile-output.js'
import { imagesAndLinks, MARKDOWN_PAYLOAD, summaryText } from '../helpers/rendered-summary.js'
import { readStepOutput, SecretMasker } from '../../testbed/secret-masker.js'
import { ActionRun, runAction, runBundle } from '../../testbed/action-runner.js'
import {
  AppRepo,
  AppShape,
  createAppRepo,
  httpText,
  projectContainers,
  removeComposeProject
} from '../../testbed/apps.js'
import { ensureDocker, stopDocker } from '../../testbed/docker.js'
import { BUSYBOX_IMAGE, ensureBaseImages } from '../../testbed/images.js'
import { freePort } from '../../testbed/ports.js'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { startRegistry } from '../../testbed/registry.js'
import { run, runChecked } from '../../testbed/run.js'
import { startSshHosts, SshHosts } from '../../testbed/ssh-hosts.js'
import { composeUnderTest, describeAnyCompose, itAnyCompose } from './compose-under-test.js'

let hosts: SshHosts
let dockerPid: number | undefined
let servers: string
const projects: string[] = []
const apps: AppRepo[] = []

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  hosts = await startSshHosts(3)
  servers = mkdtempSync(join(tmpdir(), 'deploykit-servers-'))
}, 30 * 60_000)

afterAll(async () => {
  for (const p of projects) await removeComposeProject(p)
  for (const a of apps) await a.cleanup()
  await hosts?.stop()
  rmSync(servers, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

interface TestApp {
  app: AppRepo
  project: string
  port: number
  appDir: string
  inputs: Record<string, string>
}

async function newApp(name: string, shape: AppShape): Promise<TestApp> {
  const app = await createAppRepo(shape)
  apps.push(app)
  const project = `dk${name}${process.pid % 1000}${Date.now() % 10000}`
  projects.push(project)
  const port = await freePort()
  // A space and a quote in the path: every remote command must quote it.
  const appDir = join(servers, `${name} app's`)
  return {
    app,
    project,
    port,
    appDir,
    inputs: {
      'app-dir': appDir,
      'compose-files': shape.composeFile,
      'env-file': '.env',
      'project-name': project,
      build: 'true',
      'wait-timeout': '60',
      'compose-command': composeUnderTest.choice
    }
  }
}

function connection(n = 1): Record<string, string> {
  return {
    host: hosts.hostInput(n),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'connect-retries': '0'
  }
}

function deploy(inputs: Record<string, string>, sha = '', n = 1): Promise<ActionRun> {
  return runAction(
    'ssh-deploy',
    { ...connection(n), ...inputs },
    { env: sha ? { GITHUB_SHA: sha } : {} }
  )
}

function releaseLog(appDir: string): Array<Record<string, string>> {
  const text = readFileSync(join(appDir, '.deploy-kit', 'releases.jsonl'), 'utf8')
  const byId = new Map<string, Record<string, string>>()
  for (const line of text.trim().split('\n')) {
    const r = JSON.parse(line) as Record<string, string>
    byId.set(r.id, { ...(byId.get(r.id) ?? {}), ...r })
  }
  return [...byId.values()]
}

function expectOk(r: ActionRun): void {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.output}`)
}

const gitHead = (dir: string) =>
  execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()

describe('source: git', () => {
  it('deploys exactly the commit asked for, not the branch tip (seed 001: compose file at the root, branch main)', async () => {
    const t = await newApp('think', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
    const v1 = await t.app.release('v1')
    await t.app.release('v2')
    const r1 = await deploy({ ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}` }, v1)
    expectOk(r1)
    expect(gitHead(t.appDir)).toBe(v1)
    expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('v1\n')
    expect(r1.outputs['deployed-ref']).toBe(v1)
    expect(r1.outputs['previous-ref']).toBe('')
    expect(r1.outputs['release-id']).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{7}-[0-9a-f]{4}$/)
    expect(statSync(join(t.appDir, '.env')).mode & 0o777).toBe(0o600)
    // The Compose that ran is the one chosen (v1) or detected (v2): it labels what it creates.
    const v1Chosen = composeUnderTest.choice === 'docker-compose'
    expect(r1.output).toContain(v1Chosen ? 'Compose: docker-compose' : 'Compose: docker compose')
    const [created] = await projectContainers(t.project)
    const { stdout: composeVersion } = await runChecked('docker', [
      'inspect',
      '--format',
      '{{index .Config.Labels "com.docker.compose.version"}}',
      created
    ])
    expect(composeVersion.trim()).toMatch(v1Chosen ? /^1\.29\./ : /^2\./)

    const v3 = await t.app.release('v3')
    const before = await projectContainers(t.project)
    const r2 = await deploy(t.inputs, v3)
    expectOk(r2)
    expect(gitHead(t.appDir)).toBe(v3)
    expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('v3\n')
    expect(r2.outputs['previous-ref']).toBe(v1)
    const after = await projectContainers(t.project)
    expect(after).toHaveLength(1) // replaced, not duplicated
    expect(after).not.toEqual(before)
    expect(releaseLog(t.appDir).map(r => [r.ref, r.status])).toEqual([
      [v1, 'succeeded'],
      [v3, 'succeeded']
    ])
    const hostsOut = JSON.parse(r2.outputs.hosts) as Array<{ host: string; status: string }>
    expect(hostsOut).toEqual([
      expect.objectContaining({ host: hosts.hostInput(1), status: 'succeeded' })
    ])
    expect(r2.summary).toContain('succeeded')
    expect(r2.summary).toContain(v3.slice(0, 12))
    expect(r2.summary).toMatch(
      new RegExp(`To go back: run with <code>rollback-to: previous</code> \\(.*${v1.slice(0, 12)}`)
    )
  })

  it('follows branch master with the compose file in deploy/ (seed 004), keeping local edits in a stash', async () => {
    const t = await newApp('salon', {
      branch: 'master',
      composeFile: 'deploy/docker-compose.prod.yml'
    })
    const v1 = await t.app.release('v1')
    expectOk(
      await deploy(
        {
          ...t.inputs,
          repository: t.app.bare,
          env: `APP_PORT=${t.port}\nSECRET_KEY=first-secret-value`,
          'required-env': 'APP_PORT, SECRET_KEY'
        },
        v1
      )
    )
    writeFileSync(
      join(t.appDir, 'Dockerfile'),
      readFileSync(join(t.appDir, 'Dockerfile'), 'utf8') + '# edited on the server\n'
    )
    // An env file edited by hand is often 0644: its backup must not stay readable by others.
    chmodSync(join(t.appDir, '.env'), 0o644)
    const v2 = await t.app.release('v2')
    const secret = 'second-Secret-value-42'
    const r = await deploy({
      ...t.inputs,
      ref: 'master',
      env: `SECRET_KEY=${secret}`,
      'required-env': 'APP_PORT\nSECRET_KEY'
    })
    expectOk(r)
    expect(gitHead(t.appDir)).toBe(v2)
    expect(r.output).toMatch(
      /::warning::.*had local changes to tracked files; they are kept in `git stash`/
    )
    expect(
      execFileSync('git', ['-C', t.appDir, 'stash', 'show', '-p'], { encoding: 'utf8' })
    ).toContain('edited on the server')
    expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('v2\n')
    const env = readFileSync(join(t.appDir, '.env'), 'utf8')
    expect(env).toBe(`APP_PORT="${t.port}"\nSECRET_KEY="${secret}"\n`)
    expect(readFileSync(join(t.appDir, '.env.bak'), 'utf8')).toContain('first-secret-value')
    for (const file of ['.env', '.env.bak', '.deploy-kit/releases.jsonl'])
      expect([file, statSync(join(t.appDir, file)).mode & 0o777]).toEqual([file, 0o600])
    expect(visibleLog(r.output)).not.toContain(secret)
    expect(r.summary).not.toContain(secret)
  })

  itAnyCompose('checks required-env before anything changes', async () => {
    const t = await newApp('required', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
    const v1 = await t.app.release('v1')
    expectOk(await deploy({ ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}` }, v1))
    const before = await projectContainers(t.project)
    const v2 = await t.app.release('v2')
    const r = await deploy({ ...t.inputs, 'required-env': 'APP_PORT,DATABASE_URL,SECRET_KEY' }, v2)
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /required-env: DATABASE_URL, SECRET_KEY are missing or empty in .*\.env; nothing was changed/
    )
    expect(await projectContainers(t.project)).toEqual(before)
    expect(gitHead(t.appDir)).toBe(v1)
    expect(releaseLog(t.appDir)).toHaveLength(1)
  })

  itAnyCompose('stops at a failing pre-deploy with the clone back where it was', async () => {
    const t = await newApp('hook', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
    const v1 = await t.app.release('v1')
    expectOk(await deploy({ ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}` }, v1))
    const before = await projectContainers(t.project)
    const v2 = await t.app.release('v2')
    const r = await deploy(
      {
        ...t.inputs,
        'pre-deploy': 'grep -q v2 www/version.txt && echo checked > /dev/null && exit 3'
      },
      v2
    )
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /pre-deploy failed with exit code 3; nothing was changed \(the clone is back at/
    )
    expect(gitHead(t.appDir)).toBe(v1)
    expect(await projectContainers(t.project)).toEqual(before)
  })

  itAnyCompose(
    'refuses a ref from the server release log that git would take for an option',
    async () => {
      const t = await newApp('forged', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
      const v1 = await t.app.release('v1')
      expectOk(await deploy({ ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}` }, v1))
      const before = await projectContainers(t.project)
      // Whoever can write the log on the server makes `previous` a record whose ref is an option.
      const marker = join(servers, `forged-ran-${process.pid}`)
      const logFile = join(t.appDir, '.deploy-kit', 'releases.jsonl')
      const forged = (id: string, ref: string) =>
        JSON.stringify({ id, ref, source: 'git', status: 'succeeded' }) + '\n'
      writeFileSync(
        logFile,
        readFileSync(logFile, 'utf8') +
          forged('20990101T000000Z-forged-0001', `--upload-pack=touch ${marker}`) +
          forged('20990101T000001Z-forged-0002', v1)
      )
      const r = await deploy({ ...t.inputs, 'rollback-to': 'previous' })
      expect(r.code).toBe(1)
      expect(r.output).toMatch(
        /release 20990101T000000Z-forged-0001 in .*releases\.jsonl has ref "--upload-pack=touch .*", which is not a git ref; .*Nothing was changed on this host/
      )
      expect(existsSync(marker)).toBe(false)
      expect(gitHead(t.appDir)).toBe(v1)
      expect(await projectContainers(t.project)).toEqual(before)
    }
  )
})

describe('vars (plain) and env (secret)', () => {
  it('writes both to the env file, shows vars unmasked, hides env and keeps every output', async () => {
    const t = await newApp('vars', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
    const v1 = await t.app.release('v1')
    const secret = `db-Secret-${Math.random().toString(36).slice(2)}`
    const r = await deploy(
      {
        ...t.inputs,
        repository: t.app.bare,
        vars: `APP_PORT=${t.port}\nDEBUG=1\nAPP_RELEASE=v1.2`,
        env: `SECRET_KEY=${secret}`,
        'required-env': 'APP_PORT, DEBUG, SECRET_KEY'
      },
      v1
    )
    expectOk(r)
    // Compose read APP_PORT from vars: the app answers on it.
    expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('v1\n')
    const dialect = composeUnderTest.choice === 'docker-compose' ? 'compose-v1' : 'compose-v2'
    const written = parseEnv(readFileSync(join(t.appDir, '.env'), 'utf8'), dialect)
    expect(Object.fromEntries(written)).toEqual({
      APP_PORT: String(t.port),
      DEBUG: '1',
      APP_RELEASE: 'v1.2',
      SECRET_KEY: secret
    })

    const masks = r.output
      .split('\n')
      .filter(line => line.startsWith('::add-mask::'))
      .map(line => line.slice('::add-mask::'.length))
    expect(masks).toContain(secret)
    for (const plain of ['1', 'v1.2', String(t.port)]) expect(masks).not.toContain(plain)
    const log = visibleLog(r.output)
    expect(log).toContain(
      `(vars: APP_PORT=${t.port}, DEBUG=1, APP_RELEASE=v1.2; env (secret): SECRET_KEY)`
    )
    expect(log).not.toContain(secret)
    expect(r.output).not.toMatch(/::warning::/)
    expect(r.summary).toContain('<code>DEBUG=1</code> <code>APP_RELEASE=v1.2</code>')
    expect(r.summary).toContain('env (secret) <code>SECRET_KEY</code>')
    expect(r.summary).not.toContain(secret)

    // GitHub's runner drops a job output that contains any masked value
    // (actions/runner src/Runner.Worker/JobExtension.cs, "Skip output"): none here does.
    expect(r.outputs['deployed-ref']).toBe(v1)
    expect(r.outputs['release-id']).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{7}-[0-9a-f]{4}$/)
    for (const name of ['release-id', 'deployed-ref', 'hosts'])
      expect([name, masks.filter(m => r.outputs[name].includes(m))]).toEqual([name, []])
  })
})

describe('source: none', () => {
  it('pulls the images the env file names (seed 000: APP_RELEASE) and rolls back without the registry', async () => {
    const registry = await startRegistry()
    const repo = `${registry.address}/deploykit/plane`
    const project = `dkplane${Date.now() % 100000}`
    projects.push(project)
    const port = await freePort()
    const appDir = join(servers, 'plane')
    let loggedIn = false
    try {
      const ctx = mkdtempSync(join(tmpdir(), 'deploykit-image-'))
      for (const version of ['v0.23', 'v0.24']) {
        mkdirSync(join(ctx, 'www'), { recursive: true })
        writeFileSync(join(ctx, 'www', 'version.txt'), `${version}\n`)
        writeFileSync(
          join(ctx, 'Dockerfile'),
          `FROM ${BUSYBOX_IMAGE}\nCOPY www /www\nCMD ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]\n`
        )
        await runChecked('docker', ['build', '-q', '-t', `${repo}:${version}`, ctx], {
          env: { ...process.env, DOCKER_BUILDKIT: '0' }
        })
      }
      rmSync(ctx, { recursive: true, force: true })
      await runChecked(
        'docker',
        ['login', registry.address, '-u', registry.username, '--password-stdin'],
        { input: registry.password }
      )
      loggedIn = true
      for (const version of ['v0.23', 'v0.24']) {
        await runChecked('docker', ['push', `${repo}:${version}`])
        await runChecked('docker', ['image', 'rm', `${repo}:${version}`])
      }
      mkdirSync(appDir, { recursive: true })
      writeFileSync(
        join(appDir, 'docker-compose.production.yml'),
        `version: "2.4"\nservices:\n  web:\n    image: ${repo}:\${APP_RELEASE}\n    ports:\n      - "127.0.0.1:${port}:8080"\n`
      )
      writeFileSync(
        join(appDir, '.env.production'),
        `# Plane settings\nWEB_URL=http://localhost\nAPP_RELEASE=v0.22\n`
      )
      const inputs = {
        'app-dir': appDir,
        source: 'none',
        'compose-files': 'docker-compose.production.yml',
        'env-file': '.env.production',
        'project-name': project,
        pull: 'true'
      }
      expectOk(await deploy({ ...inputs, env: 'APP_RELEASE=v0.23' }))
      expect(await httpText(`http://127.0.0.1:${port}/version.txt`)).toBe('v0.23\n')
      const r = await deploy({ ...inputs, env: 'APP_RELEASE=v0.24' })
      expectOk(r)
      expect(await httpText(`http://127.0.0.1:${port}/version.txt`)).toBe('v0.24\n')
      expect(readFileSync(join(appDir, '.env.production'), 'utf8')).toBe(
        '# Plane settings\nWEB_URL=http://localhost\nAPP_RELEASE="v0.24"\n'
      )
      const running = await run('docker', [
        'ps',
        '--format',
        '{{.Image}}',
        '--filter',
        `label=com.docker.compose.project=${project}`
      ])
      expect(running.stdout.trim()).toBe(`${repo}:v0.24`)

      // A rollback must not need the registry, nor the image's name: stopping the
      // registry also removes the local names of its images.
      await registry.stop()
      expect((await run('docker', ['image', 'inspect', `${repo}:v0.23`])).code).not.toBe(0)
      const back = await deploy({ ...inputs, 'rollback-to': 'previous' })
      expectOk(back)
      expect(await httpText(`http://127.0.0.1:${port}/version.txt`)).toBe('v0.23\n')
      expect(readFileSync(join(appDir, '.env.production'), 'utf8')).toContain(
        'APP_RELEASE="v0.23"\n'
      )
    } finally {
      if (loggedIn) await run('docker', ['logout', registry.address])
      await registry.stop()
    }
  })
})

describe('health', () => {
  it('fails within wait-timeout when a container never gets healthy, printing its logs and recording the failure', async () => {
    const t = await newApp('sick', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
    const v1 = await t.app.release('v1', { healthy: false })
    const r = await deploy(
      { ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}`, 'wait-timeout': '8' },
      v1
    )
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /containers not ready after 8s \(wait-timeout\): backend: running \((unhealthy|starting)\)/
    )
    expect(r.output).toMatch(/--- last 50 log lines of /)
    expect(r.output).toMatch(
      /the server was changed and may be half-deployed: release .* is recorded as failed/
    )
    expect(releaseLog(t.appDir).map(x => x.status)).toEqual(['failed'])
  })
})

describeAnyCompose('release log cut short by a crash', () => {
  // The log is read alike whatever Compose runs: once, in the run with v2.
  const withV2 = composeUnderTest.choice === 'auto' ? it : it.skip

  withV2(
    'deploys after a record torn on the server, then rolls back to the release before',
    async () => {
      const t = await newApp('torn', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
      const v1 = await t.app.release('v1')
      expectOk(await deploy({ ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}` }, v1))
      const v2 = await t.app.release('v2')
      expectOk(await deploy(t.inputs, v2))
      // A run killed while it appended its started record: the line ends mid-record, with no newline.
      const logFile = join(t.appDir, '.deploy-kit', 'releases.jsonl')
      const killed = JSON.stringify({
        id: '20261202T101500Z-killed-0001',
        ref: v2,
        source: 'git',
        actor: 'octocat',
        status: 'started'
      })
      appendFileSync(logFile, killed.slice(0, 40))

      const v3 = await t.app.release('v3')
      const third = await deploy(t.inputs, v3)
      expectOk(third)
      expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('v3\n')

      const back = await deploy({ ...t.inputs, 'rollback-to': 'previous' })
      expectOk(back)
      expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('v2\n')
      expect(gitHead(t.appDir)).toBe(v2)
      expect([back.outputs['deployed-ref'], back.outputs['previous-ref']]).toEqual([v2, v3])
      const log = readReleaseLog(readFileSync(logFile, 'utf8'))
      expect(log.records.map(r => [r.ref, r.status])).toEqual([
        [v1, 'succeeded'],
        [v2, 'succeeded'],
        [v3, 'rolled-back'],
        [v2, 'succeeded']
      ])
      expect(log.unreadableLines).toEqual([5])
      // The deploy said once what it skipped, though it read the log twice.
      expect(
        third.output.match(
          /::warning::.*the release log .*: skipped 1 unreadable line \(line 5: cut short by a killed run/g
        )
      ).toHaveLength(1)
    }
  )
})

describe('strategy: one-by-one', () => {
  /** When a container was created, and when it started, in ms since the epoch. */
  async function times(project: string, service: string) {
    const { stdout } = await runChecked('docker', [
      'ps',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--filter',
      `label=com.docker.compose.service=${service}`
    ])
    const [c] = JSON.parse(
      (await runChecked('docker', ['inspect', stdout.trim()])).stdout
    ) as Array<{ Created: string; State: { StartedAt: string } }>
    return { created: Date.parse(c.Created), started: Date.parse(c.State.StartedAt) }
  }

  it('updates the services in the order given, each healthy before the next is touched (seed 003)', async () => {
    // frontend: a second service from the same build, with the same 1 s healthcheck.
    const t = await newApp('order', {
      branch: 'main',
      composeFile: 'docker-compose.prod.yml',
      extraServices: `  frontend:
    build: .
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health.txt"]
      interval: 1s
      timeout: 2s
      retries: 3
`
    })
    const inputs = { ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}` }
    expectOk(await deploy(inputs, await t.app.release('v1')))
    const v2 = await t.app.release('v2')
    const r = await deploy({ ...inputs, strategy: 'one-by-one', services: 'backend, frontend' }, v2)
    expectOk(r)
    expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('v2\n')
    const backend = await times(t.project, 'backend')
    const frontend = await times(t.project, 'frontend')
    // Docker runs the first healthcheck one interval (1 s) after the start: the frontend's new
    // container cannot have been created earlier than that if the backend was waited for.
    expect(frontend.created - backend.started).toBeGreaterThanOrEqual(900)
    const order = [
      r.output.indexOf('up -d --no-deps backend'),
      r.output.indexOf('backend: running (healthy)'),
      r.output.indexOf('up -d --no-deps frontend')
    ]
    expect(order.every(i => i >= 0)).toBe(true)
    expect([...order].sort((a, b) => a - b)).toEqual(order)
  })

  it('wants the services and their order', async () => {
    const r = await deploy({
      'app-dir': join(servers, 'nothing'),
      strategy: 'one-by-one'
    })
    expect(r.code).toBe(1)
    expect(r.output).toMatch(
      /::error::Input 'services': is empty, and strategy: one-by-one updates the services it names, one by one in that order\. List them/
    )
  })
})

describe('source: upload', () => {
  it('keeps keep-releases releases, switches current atomically and rolls back to the previous one', async () => {
    const t = await newApp('upload', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
    mkdirSync(t.appDir, { recursive: true })
    writeFileSync(join(t.appDir, '.env'), `APP_PORT=${t.port}\n`)
    const ids: string[] = []
    for (let i = 1; i <= 6; i++) {
      const sha = await t.app.release(`u${i}`)
      writeFileSync(join(t.app.work, '.env'), 'IGNORED=1\n') // .gitignore'd: must not be uploaded
      const r = await deploy(
        { ...t.inputs, source: 'upload', 'upload-path': t.app.work, 'keep-releases': '3' },
        sha
      )
      expectOk(r)
      ids.push(r.outputs['release-id'])
      expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe(`u${i}\n`)
    }
    expect(readdirSync(join(t.appDir, 'releases')).sort()).toEqual(ids.slice(-3))
    expect(readlinkSync(join(t.appDir, 'current'))).toBe(`releases/${ids[5]}`)
    expect(readdirSync(join(t.appDir, 'current'))).not.toContain('.env')
    expect(readdirSync(join(t.appDir, 'current'))).toContain('.gitignore')

    const back = await deploy({ ...t.inputs, source: 'upload', 'rollback-to': 'previous' })
    expectOk(back)
    expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('u5\n')
    expect(readlinkSync(join(t.appDir, 'current'))).toBe(`releases/${ids[4]}`)
    const log = releaseLog(t.appDir)
    expect(log.find(r => r.id === ids[5])?.status).toBe('rolled-back')
    expect(log[log.length - 1]).toMatchObject({ rollbackOf: ids[4], status: 'succeeded' })
  })
})

describeAnyCompose('locking and many hosts', () => {
  it('makes a second deploy of the same app wait for the first', async () => {
    const t = await newApp('lock', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
    const v1 = await t.app.release('v1')
    expectOk(await deploy({ ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}` }, v1))
    const v2 = await t.app.release('v2')
    const slow = { ...t.inputs, 'pre-deploy': 'sleep 3' }
    const [a, b] = await Promise.all([deploy(slow, v2), deploy(slow, v2)])
    expectOk(a)
    expectOk(b)
    expect(a.output + b.output).toMatch(/Waiting for the deploy lock held by/)
    const [, x, y] = releaseLog(t.appDir)
    const [first, second] = [x, y].sort((p, q) => p.startedAt.localeCompare(q.startedAt))
    expect(second.startedAt >= first.finishedAt).toBe(true)
  })

  it('takes over a lock left by a killed run, and names a live holder when lock-timeout runs out', async () => {
    const t = await newApp('stale', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
    const v1 = await t.app.release('v1')
    const lockDir = join(t.appDir, '.deploy-kit', 'lock')
    mkdirSync(lockDir, { recursive: true })
    const owner = {
      token: 'dead',
      runKey: 'acme/app#7.1:deploy',
      runUrl: 'https://github.com/acme/app/actions/runs/7',
      release: 'r-old',
      since: '2026-01-01T00:00:00Z'
    }
    writeFileSync(join(lockDir, 'owner.json'), JSON.stringify(owner))
    execFileSync('touch', ['-d', '5 minutes ago', join(lockDir, 'owner.json')])
    const r = await deploy({ ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}` }, v1)
    expectOk(r)
    expect(r.output).toMatch(
      /::warning::.*taking over a deploy lock not refreshed for \d+s, left by https:\/\/github\.com\/acme\/app\/actions\/runs\/7 \(release r-old/
    )

    mkdirSync(lockDir)
    writeFileSync(join(lockDir, 'owner.json'), JSON.stringify({ ...owner, token: 'alive' }))
    const blocked = await deploy({ ...t.inputs, 'lock-timeout': '3' }, v1)
    expect(blocked.code).toBe(1)
    expect(blocked.output).toMatch(
      /the app is locked by another deploy: https:\/\/github\.com\/acme\/app\/actions\/runs\/7 \(release r-old, since 2026-01-01T00:00:00Z\)\. Waited 3s/
    )
    expect(blocked.output).toMatch(/nothing was changed|Hosts now: .*unchanged/)
  })

  it('releases its own lock in the post step of a cancelled job, and only its own', async () => {
    const appDir = join(servers, 'post-step')
    const lockDir = join(appDir, '.deploy-kit', 'lock')
    const post = (token: string) =>
      runAction(
        'ssh-deploy',
        { ...connection(), 'app-dir': appDir },
        { env: { 'STATE_is-post': 'true', 'STATE_lock-open': 'true', 'STATE_lock-token': token } }
      )
    mkdirSync(lockDir, { recursive: true })
    writeFileSync(join(lockDir, 'owner.json'), JSON.stringify({ token: 'someone-else' }))
    expect((await post('mine')).code).toBe(0)
    expect(readdirSync(lockDir)).toEqual(['owner.json'])
    writeFileSync(join(lockDir, 'owner.json'), JSON.stringify({ token: 'mine' }))
    const r = await post('mine')
    expect(r.code).toBe(0)
    expect(() => readdirSync(lockDir)).toThrow(/ENOENT/)
  })

  // How a cancel is handled does not depend on the Compose: the v1 run leaves it to the v2 one.
  const itOnce = composeUnderTest.choice === 'docker-compose' ? it.skip : it
  itOnce(
    'stops at the next safe point when the job is cancelled: clone put back, lock freed, summary and outputs written',
    async () => {
      const t = await newApp('cancel', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
      const v1 = await t.app.release('v1')
      const inputs = {
        ...connection(),
        ...t.inputs,
        repository: t.app.bare,
        env: `APP_PORT=${t.port}`
      }
      expectOk(await deploy(inputs, v1))
      const v2 = await t.app.release('v2')
      // The runner stand-in sends SIGINT while the hook runs, then SIGTERM and SIGKILL as GitHub's runner would.
      const r = await runBundle(
        join('dist', 'ssh-deploy', 'index.js'),
        { ...inputs, 'pre-deploy': 'echo hook started; sleep 2' },
        { env: { GITHUB_SHA: v2 }, cancelWhen: /hook started/ }
      )
      expect(r.signal).toBeNull()
      expect(r.code).toBe(1)
      expect(r.output).toContain(
        'Cancel requested (SIGINT): stopping before the next change to a server'
      )
      expect(r.output).toMatch(
        /::error::.*the run was cancelled \(SIGINT\) before recording release \S+ as started .*nothing was changed \(the clone is back at/
      )
      expect(gitHead(t.appDir)).toBe(v1)
      expect(existsSync(join(t.appDir, '.deploy-kit', 'lock'))).toBe(false)
      expect(r.state['lock-open']).toBe('false')
      expect(JSON.parse(r.outputs.hosts)).toEqual([
        expect.objectContaining({ status: 'failed', changed: false })
      ])
      expect(r.summary).toContain('failed (unchanged)')
      expect(releaseLog(t.appDir).map(x => x.status)).toEqual(['succeeded'])
    }
  )

  itOnce(
    'frees the lock of a killed run in the post step only once the work it left on the server has ended',
    async () => {
      const t = await newApp('killed', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
      const v1 = await t.app.release('v1')
      const lockDir = join(t.appDir, '.deploy-kit', 'lock')
      const marks = mkdtempSync(join(tmpdir(), 'deploykit-killed-'))
      const ended = join(marks, 'hook ended')
      try {
        // The runner kills the step (SIGKILL) while its hook runs; the hook goes on on the server.
        const main = await runBundle(
          join('dist', 'ssh-deploy', 'index.js'),
          {
            ...connection(),
            ...t.inputs,
            repository: t.app.bare,
            env: `APP_PORT=${t.port}`,
            'pre-deploy': `echo hook started; sleep 4; touch '${ended}'`
          },
          // The hook's own line, not the log's line of the command that starts it.
          { env: { GITHUB_SHA: v1 }, killWhen: /^hook started$/m }
        )
        expect(main.signal).toBe('SIGKILL')
        expect(existsSync(lockDir)).toBe(true)
        expect(existsSync(ended)).toBe(false)
        const post = await runBundle(
          join('dist', 'ssh-deploy', 'index.js'),
          { ...connection(), 'app-dir': t.appDir },
          { state: main.state }
        )
        expect(post.code).toBe(0)
        // The post step waited for the hook: it ended before the lock was freed.
        expect(existsSync(ended)).toBe(true)
        expect(post.output).toMatch(
          /This run's earlier remote work still runs here \(pids [\d ]+\): waiting up to 120s for it to end/
        )
        expect(post.output).toMatch(/It ended after \d+s/)
        expect(post.output).toContain('Released the deploy lock left by this run')
        expect(existsSync(lockDir)).toBe(false)
      } finally {
        rmSync(marks, { recursive: true, force: true })
      }
    }
  )

  it('checks every host first: with one down, no host is deployed and the message names it', async () => {
    const t = await newApp('fleet', { branch: 'main', composeFile: 'docker-compose.prod.yml' })
    const v1 = await t.app.release('v1')
    const down = `root@127.0.0.8:${await freePort('127.0.0.8')}`
    const r = await runAction(
      'ssh-deploy',
      {
        ...connection(2),
        host: `${hosts.hostInput(2)}\n${down}`,
        'known-hosts': `${hosts.knownHosts()}\n${down.replace('root@127.0.0.8', '[127.0.0.8]')} ${hosts.servers[0].knownHostsLine.split(' ').slice(1).join(' ')}`,
        ...t.inputs,
        repository: t.app.bare,
        env: `APP_PORT=${t.port}`
      },
      { env: { GITHUB_SHA: v1 } }
    )
    expect(r.code).toBe(1)
    const rows = JSON.parse(r.outputs.hosts) as Array<{
      host: string
      status: string
      changed: boolean
    }>
    expect(rows.map(x => [x.host, x.status])).toEqual([
      [`root@${hosts.servers[0].address}:${hosts.servers[0].port}`, 'untouched'],
      [`root@${hosts.servers[1].address}:${hosts.servers[1].port}`, 'untouched'],
      [down, 'failed']
    ])
    expect(r.output).toMatch(
      new RegExp(
        `::error::Deploy refused before any change: 1 of 3 host\\(s\\) failed the check; no host was changed\\. ${down.replace(/\./g, '\\.')}: cannot connect`
      )
    )
    expect(r.output).toContain(`${down}: cannot connect`)
  })
})

describeAnyCompose('server output', () => {
  /** The step's log as GitHub's runner reads it (testbed/secret-masker.ts, a stand-in built on actions/runner). */
  function runnerReads(r: ActionRun, secrets: string[] = []) {
    const masker = new SecretMasker()
    for (const secret of secrets) masker.addSecret(secret)
    return { masker, reading: readStepOutput(r.output, masker) }
  }

  function expectNothingActedOn(reading: ReturnType<typeof readStepOutput>): void {
    expect(serverCommandsActedOn(reading)).toEqual([])
    expect(reading.unmodelled).toEqual([])
    expect(reading.openFence).toBeUndefined()
  }

  it('is data in the log: hook and container output, file names and release records, on one host and on two', async () => {
    // chatty prints what a hostile server would, and is healthy only in a healthy release.
    const t = await newApp('chatty', {
      branch: 'main',
      composeFile: 'docker-compose.prod.yml',
      extraServices: `  chatty:
    build: .
    command: ["sh", "-c", "cat /www/chatty.txt; cat /www/chatty.txt >&2; trap 'exit 0' TERM; sleep 600 & wait"]
    healthcheck:
      test: ["CMD", "test", "-f", "/www/health.txt"]
      interval: 1s
      retries: 1
`
    })
    writeFileSync(join(t.app.work, 'www', 'chatty.txt'), HOSTILE_LINES.join('\n') + '\n')
    // Names on the server are the server's words too.
    mkdirSync(t.appDir, { recursive: true })
    writeFileSync(join(t.appDir, '##[set-output name=x;]y'), '')
    const secret = `chatty-Secret-${Math.random().toString(36).slice(2)}`
    const v1 = await t.app.release('v1')
    const first = await deploy(
      {
        ...t.inputs,
        repository: t.app.bare,
        env: `APP_PORT=${t.port}\nSECRET_KEY=${secret}`,
        'pre-deploy': 'cat www/chatty.txt; cat www/chatty.txt >&2'
      },
      v1
    )
    expectOk(first)
    {
      const { masker, reading } = runnerReads(first)
      expectNothingActedOn(reading)
      // deploy-kit's own commands still work: the env value is masked, outputs are set.
      expect(masker.registered).toContain(secret)
      expect(masker.registered).not.toContain('Deploy')
      expect(reading.log).not.toContain(secret)
      expect(first.outputs['deployed-ref']).toBe(v1)
      const shown = reading.log.split('\n')
      for (const line of HOSTILE_LINES) expect(shown).toContain(line)
      expect(reading.log).toContain('keeps its files (##[set-output name=x;]y, ')
    }

    // A record in the release log whose id carries a line of its own.
    const logFile = join(t.appDir, '.deploy-kit', 'releases.jsonl')
    const [live] = releaseLog(t.appDir)
    const forgedId = `20990101T000000Z-forged${HOSTILE_LABEL.slice('web'.length)}`
    writeFileSync(
      logFile,
      readFileSync(logFile, 'utf8') +
        [forgedId, '20990101T000001Z-after']
          .map(id => JSON.stringify({ ...live, id, status: 'succeeded' }) + '\n')
          .join('')
    )
    const back = await deploy({ ...t.inputs, 'rollback-to': 'previous' })
    expectOk(back)
    {
      const { reading } = runnerReads(back)
      expectNothingActedOn(reading)
      expect(reading.log).toContain(
        `Rolling back to release 20990101T000000Z-forged\n::warning::x (${v1})`
      )
    }

    // On two hosts, a release whose chatty service fails: its output comes back through docker logs.
    // These two hosts share one disk and one engine, so they take turns (max-parallel 1):
    // together they would race for the same containers. The first fails, the second is not touched.
    const v2 = await t.app.release('v2', { healthy: false })
    const twice = await deploy({ ...t.inputs, 'wait-timeout': '3', 'max-parallel': '1' }, v2, 2)
    expect(twice.code).toBe(1)
    const { reading } = runnerReads(twice)
    expectNothingActedOn(reading)
    const label = `[root@${hosts.servers[0].address}:${hosts.servers[0].port}] `
    const shown = reading.log.split('\n')
    for (const line of HOSTILE_LINES) expect(shown).toContain(label + line)
    // deploy-kit's own groups and annotations still reach the runner.
    // The check before any change, the deploy of the first host, and its way back.
    expect(reading.commands.filter(c => c.command === 'group')).toHaveLength(3)
    expect(reading.commands.filter(c => c.command === 'error').map(c => c.data)).toEqual(
      expect.arrayContaining([expect.stringMatching(/containers not ready after 3s/)])
    )
  })

  it('is text in the job summary: a failure quoting what the server printed renders no image or link', async () => {
    // Compose quotes a key it does not know in its error.
    const t = await newApp('summary', {
      branch: 'main',
      composeFile: 'docker-compose.prod.yml',
      extraServices: `  broken:\n    build: .\n    ${JSON.stringify(MARKDOWN_PAYLOAD)}: 1\n`
    })
    const v1 = await t.app.release('v1')
    const r = await deploy({ ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}` }, v1)
    expect(r.code).toBe(1)
    // The one link is deploy-kit's own, to the commit.
    expect(imagesAndLinks(r.summary)).toEqual([
      `a href="https://github.com/example/app/commit/${v1}"`
    ])
    expect(summaryText(r.summary)).toContain(MARKDOWN_PAYLOAD)
  })
})
