// ssh-deploy with `registry`, `registry-username` and `registry-password`:
// the image is only in the testbed's password registry (Debian's
// docker-registry with an htpasswd file, testbed/registry.ts), and the server
// (the testbed's real sshd, with the Docker engine and Compose v2) was never
// logged in to it. The action runs in this process as the runner runs it
// (helpers/in-process-action.ts), its log read as the runner shows it
// (testbed/secret-masker.ts). Meanwhile every process's argv on the machine
// — what any user of the server sees in `ps` — is sampled: `docker login`
// must be seen in it, the password never.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction } from '../../../src/core/entry.js'
import { forEachHost } from '../../../src/core/fleet.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { post, run } from '../../../src/ssh-deploy/main.js'
import { logIn } from '../../../src/ssh-deploy/registry-session.js'
import { readDeploySettings, readLockRelease } from '../../../src/ssh-deploy/settings.js'
import { DOCKER_CONFIG_PREFIX } from '../../../src/commands/registry-login.js'
import { InProcessAction, InProcessRun } from '../../helpers/in-process-action.js'
import { removeComposeProject } from '../../../testbed/apps.js'
import { sampleArgv, SamplerReport } from '../../../testbed/argv-sampler.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { BUSYBOX_IMAGE, ensureBaseImages } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { Registry, startRegistry } from '../../../testbed/registry.js'
import { run as runProcess, runChecked } from '../../../testbed/run.js'
import { processStepOutput, SecretMasker } from '../../../testbed/secret-masker.js'
import { startSshHosts, SshHosts } from '../../../testbed/ssh-hosts.js'

/** In docker login's argv while it runs: proves the sampler saw the login. */
const LOGIN_MARKER = '--password-stdin'

let work: string
let dockerPid: number | undefined
let registry: Registry
let hosts: SshHosts
let action: InProcessAction
let image: string
let imageV2: string
let project: string
let appDir: string

/** The deploy user's home on the server (the sshd's user is this process's). */
const home = homedir()
const loginDirs = () => readdirSync(home).filter(name => name.startsWith(DOCKER_CONFIG_PREFIX))
/**
 * Login directories that were in the home before this file ran: a killed run of another
 * deploy may have left one there. They are not this file's to judge or to remove.
 */
let notOurs = new Set<string>()
/** The login directories this file's deploys made and left. */
const leftDirs = () => loginDirs().filter(name => !notOurs.has(name))
const userConfig = () => {
  const path = join(home, '.docker', 'config.json')
  return existsSync(path) ? readFileSync(path, 'utf8') : ''
}

beforeAll(async () => {
  notOurs = new Set(loginDirs())
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  work = mkdtempSync(join(tmpdir(), 'registry-login-'))
  registry = await startRegistry()
  image = `${registry.address}/deploykit/private:v1`
  imageV2 = `${registry.address}/deploykit/private:v2`
  // Pushed with a login of the test's own, then removed here: only the registry has it.
  const pusher = join(work, 'pusher-config')
  mkdirSync(pusher, { mode: 0o700 })
  const env = { ...process.env, DOCKER_CONFIG: pusher, DOCKER_BUILDKIT: '0' }
  const ctx = join(work, 'image')
  mkdirSync(ctx)
  writeFileSync(join(ctx, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nCOPY version.txt /version.txt\n`)
  for (const [ref, version] of [
    [image, 'v1'],
    [imageV2, 'v2']
  ]) {
    writeFileSync(join(ctx, 'version.txt'), `private ${version}\n`)
    await runChecked('docker', ['build', '-q', '-t', ref, ctx], { env })
  }
  await runChecked(
    'docker',
    ['login', '--username', registry.username, '--password-stdin', registry.address],
    { input: registry.password, env }
  )
  for (const ref of [image, imageV2]) {
    await runChecked('docker', ['push', ref], { env })
    await runChecked('docker', ['image', 'rm', ref], { env })
  }
  rmSync(pusher, { recursive: true, force: true })

  hosts = await startSshHosts(1)
  project = `dkregistry${process.pid % 1000}`
  appDir = join(work, 'server-app')
  mkdirSync(appDir)
  writeFileSync(
    join(appDir, 'docker-compose.yml'),
    `services:\n  web:\n    image: ${image}\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n`
  )
  // Compose v1 (docker-compose 1.29) reads DOCKER_CONFIG through docker-py.
  writeFileSync(
    join(appDir, 'docker-compose.v1.yml'),
    `version: "2.4"\nservices:\n  web:\n    image: ${imageV2}\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n`
  )
  writeFileSync(join(work, 'state'), '')
  action = new InProcessAction(
    read => runAction({ readSettings: () => readDeploySettings(read), run }),
    { GITHUB_STATE: join(work, 'state') }
  )
}, 20 * 60_000)

afterAll(async () => {
  // A failed test may leave its login behind; remove only what this file made.
  for (const name of leftDirs()) rmSync(join(home, name), { recursive: true, force: true })
  action?.remove()
  if (project) await removeComposeProject(project)
  await hosts?.stop()
  await registry?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    host: hosts.hostInput(1),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'connect-retries': '0',
    'app-dir': appDir,
    'project-name': project,
    source: 'none',
    pull: 'true',
    'wait-stable': '0',
    registry: registry.address,
    'registry-username': registry.username,
    ...extra
  }
}

interface SampledRun {
  run: InProcessRun
  /** The log as the runner shows it: `::add-mask::` acted on, every registered value as ***. */
  shown: string
  /** The log as written, the mask commands left out: what a log that is not masked would hold. */
  plain: string
  sampled: SamplerReport
}

async function deploySampled(given: Record<string, string>, secret: string): Promise<SampledRun> {
  const sampler = sampleArgv([secret, LOGIN_MARKER])
  let result: InProcessRun
  let sampled: SamplerReport
  try {
    result = await action.runAction(given)
  } finally {
    sampled = await sampler.stop()
  }
  return {
    run: result,
    shown: processStepOutput(result.output, new SecretMasker()),
    plain: result.output.replace(/^::add-mask::.*$/gm, ''),
    sampled
  }
}

async function runningImage(): Promise<string> {
  const { stdout } = await runProcess('docker', [
    'ps',
    '--format',
    '{{.Image}}',
    '--filter',
    `label=com.docker.compose.project=${project}`
  ])
  return stdout.trim()
}

function expectNothingLeft(r: SampledRun, secret: string): void {
  // Nothing of the login stays on the server: no directory, no entry in the user's own config.
  expect(leftDirs()).toEqual([])
  expect(userConfig()).not.toContain(registry.address)
  expect(r.sampled.hits[LOGIN_MARKER].length).toBeGreaterThan(0)
  expect(r.sampled.hits[secret]).toEqual([])
  expect(r.plain).not.toContain(secret)
  expect(r.shown).not.toContain(secret)
  expect(r.run.summary).not.toContain(secret)
  for (const value of Object.values(r.run.outputs)) expect(value).not.toContain(secret)
}

describe('registry login for the deploy only', () => {
  it('deploys an image only the password registry has, and leaves no login behind', async () => {
    expect(leftDirs()).toEqual([])
    expect(userConfig()).not.toContain(registry.address)
    // What the deploy's directory is while the deploy runs: the hook runs after the login.
    const seen = join(work, 'seen-during-deploy.txt')
    const r = await deploySampled(
      inputs({
        'registry-password': registry.password,
        'pre-deploy': `for d in "$HOME"/${DOCKER_CONFIG_PREFIX}*; do case " ${[...notOurs].join(' ')} " in *" \${d##*/} "*) continue ;; esac; stat -c '%a %U' "$d" "$d/config.json"; grep -c '${registry.address}' "$d/config.json"; done > '${seen}'`
      }),
      registry.password
    )
    if (r.run.failed || r.run.error)
      throw new Error(`ssh-deploy failed: ${String(r.run.error ?? '')}\n${r.run.output}`)
    expect(await runningImage()).toBe(image)
    expect(r.shown).toContain(
      `Logging in to ${registry.address} as ${registry.username} for this deploy only`
    )
    expect(r.shown).toContain('Login Succeeded')
    // Registered with the runner before the first line of the log.
    expect(r.run.output.split('\n')[0]).toBe(`::add-mask::${registry.password}`)
    const user = execUser()
    expect(readFileSync(seen, 'utf8')).toBe(`700 ${user}\n600 ${user}\n1\n`)
    expectNothingLeft(r, registry.password)
  }, 300_000)

  it('refuses a wrong password before anything on the server changed, and says so', async () => {
    const logBefore = readFileSync(join(appDir, '.deploy-kit', 'releases.jsonl'), 'utf8')
    const before = await runningImage()
    const wrong = `wrong-${randomBytes(12).toString('hex')}`
    const r = await deploySampled(inputs({ 'registry-password': wrong }), wrong)
    expect(r.run.failed).toBe(true)
    expect(r.shown).toContain('Deploy refused before any change')
    expect(r.shown).toContain(
      `the registry ${registry.address} refused the login as ${registry.username}`
    )
    expect(r.shown).toContain('check registry-username and registry-password')
    expect(readFileSync(join(appDir, '.deploy-kit', 'releases.jsonl'), 'utf8')).toBe(logBefore)
    expect(await runningImage()).toBe(before)
    expectNothingLeft(r, wrong)
  }, 300_000)

  it('pulls with the same login through Compose v1', async () => {
    const r = await deploySampled(
      inputs({
        'registry-password': registry.password,
        'compose-command': 'docker-compose',
        'compose-files': 'docker-compose.v1.yml'
      }),
      registry.password
    )
    if (r.run.failed || r.run.error)
      throw new Error(`ssh-deploy failed: ${String(r.run.error ?? '')}\n${r.run.output}`)
    expect(r.shown).toContain('docker-compose --project-name')
    expect(await runningImage()).toBe(imageV2)
    expectNothingLeft(r, registry.password)
  }, 300_000)

  it('the post step removes a login the main step left', async () => {
    const settings = readDeploySettings(
      mapInputs(inputs({ 'registry-password': registry.password }))
    )
    writeFileSync(join(work, 'state'), '')
    // The main step logged in, then died before its end removed the directory.
    await forEachHost(settings.connection, host => logIn(host, settings.registry!))
    expect(leftDirs()).toHaveLength(1)
    const state = readFileSync(join(work, 'state'), 'utf8')
    const saved = /registry-configs<<(\S+)\n([\s\S]*?)\n\1/.exec(state)
    expect(saved).not.toBeNull()
    action.setEnv({ 'STATE_registry-configs': saved![2] })
    try {
      await post(() =>
        readLockRelease(mapInputs(inputs({ 'registry-password': registry.password })))
      )
    } finally {
      action.setEnv({ 'STATE_registry-configs': '' })
    }
    expect(leftDirs()).toEqual([])
    expect(userConfig()).not.toContain(registry.address)
  }, 120_000)
})

function execUser(): string {
  return process.env.USER || 'root'
}
