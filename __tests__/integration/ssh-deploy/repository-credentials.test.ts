// ssh-deploy with `source: git` from a private repository whose `repository`
// input carries a token (https://user:TOKEN@host/… or https://TOKEN@host/…).
// The git host is git's own `git http-backend` behind an HTTPS server on
// 127.0.0.1 that wants Basic auth (testbed/git-http-server.ts); the server is
// the testbed's real sshd (its sessions trust the test CA through
// GIT_SSL_CAINFO), with the Docker engine and Compose. The action runs in this
// process as the runner runs it (helpers/in-process-action.ts), its log read
// as the runner shows it (testbed/secret-masker.ts). Meanwhile every
// process's argv on the machine — what any user of the server sees in `ps` —
// is sampled; git's `remote-https` helper, which git starts with the remote's
// URL in its argv, must be seen in it, and the token never.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
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
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction } from '../../../src/core/entry.js'
import { run } from '../../../src/ssh-deploy/main.js'
import { readDeploySettings } from '../../../src/ssh-deploy/settings.js'
import { InProcessAction, InProcessRun } from '../../helpers/in-process-action.js'
import { removeComposeProject } from '../../../testbed/apps.js'
import { sampleArgv, SamplerReport } from '../../../testbed/argv-sampler.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { GitHttpServer, startGitHttpServer } from '../../../testbed/git-http-server.js'
import { BUSYBOX_IMAGE, ensureBaseImages } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { processStepOutput, SecretMasker } from '../../../testbed/secret-masker.js'
import { startSshHosts, SshHosts } from '../../../testbed/ssh-hosts.js'
import { selfSignedCertificate } from '../smoke-check/harness.js'

const TOKEN = `ghs_${randomBytes(16).toString('hex')}`
const USER = 'x-access-token'
/** In git-remote-https's argv while it fetches: proves the sampler saw the fetches. */
const FETCH_MARKER = 'remote-https'

let work: string
let dockerPid: number | undefined
let git: GitHttpServer
let hosts: SshHosts
let action: InProcessAction
const projects: string[] = []

const gitIn = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8'
  }).trim()

/** Commits a new version to the private repository; returns its sha. */
function release(version: string): string {
  const tree = join(work, 'tree')
  writeFileSync(join(tree, 'version.txt'), `${version}\n`)
  gitIn(tree, 'add', '-A')
  gitIn(tree, 'commit', '-q', '-m', `release ${version}`)
  gitIn(tree, 'push', '-q', join(work, 'repos', 'app.git'), 'HEAD:refs/heads/main')
  return gitIn(tree, 'rev-parse', 'HEAD')
}

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  work = mkdtempSync(join(tmpdir(), 'deploykit-repo-token-'))
  const tls = selfSignedCertificate(2)
  const ca = join(work, 'ca.pem')
  writeFileSync(ca, tls.cert)
  mkdirSync(join(work, 'repos'))
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', join(work, 'repos', 'app.git')])
  const tree = join(work, 'tree')
  mkdirSync(tree)
  gitIn(work, 'init', '-q', '-b', 'main', tree)
  writeFileSync(
    join(tree, 'docker-compose.yml'),
    `services:\n  web:\n    image: ${BUSYBOX_IMAGE}\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n`
  )
  // GitHub takes an installation token as the password of x-access-token, or alone as the user name.
  git = await startGitHttpServer({
    root: join(work, 'repos'),
    tls,
    accept: [
      [USER, TOKEN],
      [TOKEN, '']
    ],
    holdMs: 300
  })
  hosts = await startSshHosts(1, { extraConfig: [`SetEnv GIT_SSL_CAINFO=${ca}`] })
  action = new InProcessAction(read =>
    runAction({ readSettings: () => readDeploySettings(read), run })
  )
}, 20 * 60_000)

afterAll(async () => {
  action?.remove()
  for (const p of projects) await removeComposeProject(p)
  await hosts?.stop()
  await git?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

let n = 0
function appInputs(): { appDir: string; inputs: Record<string, string> } {
  n++
  const project = `dkrepotoken${process.pid % 1000}${n}`
  projects.push(project)
  const appDir = join(work, `server-app-${n}`)
  return {
    appDir,
    inputs: {
      host: hosts.hostInput(1),
      key: hosts.key.privateKey,
      'known-hosts': hosts.knownHosts(),
      'connect-retries': '0',
      'app-dir': appDir,
      'project-name': project,
      source: 'git'
    }
  }
}

interface SampledRun {
  run: InProcessRun
  /** The log as the runner shows it: `::add-mask::` acted on, every registered value as ***. */
  shown: string
  sampled: SamplerReport
}

/** Runs ssh-deploy while the argv of every process on the machine is sampled. */
async function deploySampled(inputs: Record<string, string>): Promise<SampledRun> {
  const sampler = sampleArgv([TOKEN, FETCH_MARKER])
  let result: InProcessRun
  let sampled: SamplerReport
  try {
    result = await action.runAction(inputs)
  } finally {
    sampled = await sampler.stop()
  }
  return { run: result, shown: processStepOutput(result.output, new SecretMasker()), sampled }
}

function expectDeployed(r: SampledRun, sha: string): void {
  if (r.run.failed || r.run.error)
    throw new Error(`ssh-deploy failed: ${String(r.run.error ?? '')}\n${r.run.output}`)
  expect(r.run.outputs['deployed-ref']).toBe(sha)
}

/** Every file under dir (the clone, its .git, deploy-kit's state) that holds the token. */
function filesHolding(dir: string, text: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry)
    if (statSync(path).isFile() && readFileSync(path).includes(text)) found.push(entry)
  }
  return found
}

function expectNoLeak(r: SampledRun, appDir: string): void {
  expect(r.sampled.hits[FETCH_MARKER].length).toBeGreaterThan(0)
  expect(r.sampled.hits[TOKEN]).toEqual([])
  expect(r.shown).not.toContain(TOKEN)
  // Not only masked: never printed, so a log that is not masked (a server's own, a copy) has none either.
  expect(r.run.output.replace(/^::add-mask::.*$/gm, '')).not.toContain(TOKEN)
  const config = readFileSync(join(appDir, '.git', 'config'), 'utf8')
  expect(config).not.toContain(TOKEN)
  // The helper was for the fetch only: none is left in the clone's config for later commands.
  expect(config).not.toContain('credential')
  expect(filesHolding(appDir, TOKEN)).toEqual([])
  // No helper of the server's user (credential-store's file) was given the token.
  const stored = join(homedir(), '.git-credentials')
  if (existsSync(stored)) expect(readFileSync(stored, 'utf8')).not.toContain(TOKEN)
}

afterEach(() => {
  // Each test asks the git host anew; none may have been let in without the token.
  expect(git.requests.filter(r => r.user && r.user !== USER && r.user !== TOKEN)).toEqual([])
})

describe('repository with a token in an https URL', () => {
  it('clones and fetches the commit with the token in no argv, no file and no log line', async () => {
    const { appDir, inputs } = appInputs()
    const url = `${git.origin}/app.git`
    const repository = url.replace('https://', `https://${USER}:${TOKEN}@`)
    const v1 = release('v1')
    const first = await deploySampled({ ...inputs, repository, ref: v1 })
    expectDeployed(first, v1)
    // Registered with the runner before the first line of the log.
    expect(first.run.output.split('\n')[0]).toBe(`::add-mask::${TOKEN}`)
    expect(gitIn(appDir, 'rev-parse', 'HEAD')).toBe(v1)
    expect(gitIn(appDir, 'config', '--get', 'remote.origin.url')).toBe(url)
    expect(first.shown).toContain(`becomes a clone of ${url.replace('https://', 'https://***@')}`)
    expect(git.requests.some(r => r.user === USER)).toBe(true)
    expectNoLeak(first, appDir)

    // The clone exists now: the next deploy fetches a new commit with the token again.
    const v2 = release('v2')
    const second = await deploySampled({ ...inputs, repository, ref: 'main' })
    expectDeployed(second, v2)
    expect(readFileSync(join(appDir, 'version.txt'), 'utf8')).toBe('v2\n')
    expectNoLeak(second, appDir)
  })

  it('takes the token out of the origin URL an older clone stored, and still fetches with it', async () => {
    const { appDir, inputs } = appInputs()
    const url = `${git.origin}/app.git`
    // A clone as `git clone https://TOKEN@…` leaves it, made without the token on a command line.
    const v3 = release('v3')
    mkdirSync(appDir)
    gitIn(appDir, 'init', '-q')
    writeFileSync(
      join(appDir, '.git', 'config'),
      `${readFileSync(join(appDir, '.git', 'config'), 'utf8')}[remote "origin"]\n\turl = ${url.replace('https://', `https://${TOKEN}@`)}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`
    )
    const r = await deploySampled({ ...inputs, ref: v3 })
    expectDeployed(r, v3)
    expect(gitIn(appDir, 'config', '--get', 'remote.origin.url')).toBe(url)
    expect(r.shown).toContain(`the origin URL of ${appDir} held credentials in .git/config`)
    expect(git.requests.some(req => req.user === TOKEN)).toBe(true)
    expectNoLeak(r, appDir)

    // From now on the token comes from the repository input, alone as the user name.
    const v4 = release('v4')
    const next = await deploySampled({
      ...inputs,
      repository: url.replace('https://', `https://${TOKEN}@`),
      ref: v4
    })
    expectDeployed(next, v4)
    expect(next.shown).not.toContain('held credentials')
    expectNoLeak(next, appDir)
  })

  it('fails clearly, without waiting for a prompt, when the host refuses the token', async () => {
    const { appDir, inputs } = appInputs()
    const url = `${git.origin}/app.git`
    const wrong = `ghs_${randomBytes(16).toString('hex')}`
    const r = await action.runAction({
      ...inputs,
      repository: url.replace('https://', `https://${USER}:${wrong}@`),
      ref: 'main'
    })
    expect(r.failed).toBe(true)
    const shown = processStepOutput(r.output, new SecretMasker())
    expect(shown).toMatch(/Authentication failed/)
    expect(r.output.replace(/^::add-mask::.*$/gm, '')).not.toContain(wrong)
    expect(readFileSync(join(appDir, '.git', 'config'), 'utf8')).not.toContain(wrong)
  })
})

describe('repository with credentials git would not keep safe', () => {
  it.each([
    [
      'http://deploy:SECRET@127.0.0.1/app.git',
      "Input 'repository': holds credentials in an http:// URL (http://***@127.0.0.1/app.git), which would send them unencrypted"
    ],
    [
      'ssh://git:SECRET@127.0.0.1/app.git',
      "Input 'repository': holds a password in a ssh:// URL (ssh://***@127.0.0.1/app.git); git does not send it"
    ],
    [
      'git:SECRET@127.0.0.1:org/app.git',
      "Input 'repository': holds a password in an scp-like ssh address (git:***@…)"
    ]
  ])('refuses %s before anything on the server changes', async (given, message) => {
    const { appDir, inputs } = appInputs()
    const secret = `pw-${randomBytes(8).toString('hex')}`
    const r = await action.runAction({
      ...inputs,
      repository: given.replace('SECRET', secret),
      ref: 'main'
    })
    expect(r.failed).toBe(true)
    expect(r.output).toContain(`::error::${message}`)
    expect(r.output.replace(/^::add-mask::.*$/gm, '')).not.toContain(secret)
    expect(() => statSync(appDir)).toThrow()
  })
})
