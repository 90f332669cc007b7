// One config file for the app (.github/deploy-kit.yml in the caller's checkout), read by the
// ssh-deploy and root action bundles as the runner runs them (testbed/action-runner.ts: inputs as
// INPUT_* variables, the workspace as GITHUB_WORKSPACE, no action.yml default passed, as none of
// these keys has one) against the real testbed: sshd on loopback, the Docker engine and Compose.
// The step gives only the key; the file gives the host, its known_hosts line, the app directory,
// the upload and the vars, and an input overrides one of them. A file with a misspelt key or a bad
// value stops the step before it connects, and says which line or which file to fix.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BundleRun, runBundle } from '../../../testbed/action-runner.js'
import { projectContainers, removeComposeProject } from '../../../testbed/apps.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { BUSYBOX_IMAGE, ensureBaseImages } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { runChecked } from '../../../testbed/run.js'
import { startSshHosts, SshHosts } from '../../../testbed/ssh-hosts.js'

const SSH_DEPLOY = 'dist/ssh-deploy/index.js'
const ROOT_ACTION = 'dist/deploy/index.js'

let dockerPid: number | undefined
let hosts: SshHosts
let work: string
let workspace: string
let appDir: string
const project = `dkconfig${process.pid % 1000}${Date.now() % 10000}`

/** The config file as a user writes it, with what the test changes. */
function writeConfig(extra = ''): void {
  writeFileSync(
    join(workspace, '.github', 'deploy-kit.yml'),
    `# yaml-language-server: $schema=https://raw.githubusercontent.com/org/deploy-kit/v1/deploy-kit.schema.json
host: ${hosts.hostInput(1)}
known-hosts: |
  ${hosts.knownHosts()}
app-dir: ${appDir}
source: upload
project-name: ${project}
env-file: .env
vars:
  GREETING: from-file
  COLOUR: green
keep-releases: 2
connect-retries: 0
${extra}`
  )
}

let runs = 0
function runStep(bundle: string, inputs: Record<string, string>): Promise<BundleRun> {
  runs += 1
  return runBundle(bundle, inputs, {
    cwd: workspace,
    env: { GITHUB_WORKSPACE: workspace, GITHUB_SHA: String(runs).repeat(40) }
  })
}

/** The running container's environment as the engine holds it. */
async function webEnv(): Promise<string[]> {
  const [id] = await projectContainers(project)
  const { stdout } = await runChecked('docker', ['inspect', '--format', '{{json .Config.Env}}', id])
  return JSON.parse(stdout) as string[]
}

const releaseLog = () => {
  const path = join(appDir, '.deploy-kit', 'releases.jsonl')
  return existsSync(path) ? readFileSync(path, 'utf8') : ''
}

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  for (const bundle of [SSH_DEPLOY, ROOT_ACTION])
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`)
  work = mkdtempSync(join(tmpdir(), 'config-file-'))
  workspace = join(work, 'checkout')
  appDir = join(work, 'server-app')
  mkdirSync(join(workspace, '.github'), { recursive: true })
  writeFileSync(
    join(workspace, 'docker-compose.yml'),
    `services:
  web:
    image: ${BUSYBOX_IMAGE}
    environment: { GREETING: "\${GREETING:-unset}", COLOUR: "\${COLOUR:-unset}" }
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
`
  )
  hosts = await startSshHosts(1)
}, 10 * 60_000)

afterAll(async () => {
  await removeComposeProject(project)
  await hosts?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

describe('the app’s config file', () => {
  it('gives ssh-deploy every setting but the key', async () => {
    writeConfig()
    const r = await runStep(SSH_DEPLOY, { key: hosts.key.privateKey })
    if (r.code !== 0) throw new Error(`ssh-deploy failed:\n${r.output}`)
    expect(r.output).toContain(
      'Settings from .github/deploy-kit.yml: host, known-hosts, app-dir, source, project-name, env-file, vars, keep-releases, connect-retries (an input given to the step overrides its key)'
    )
    expect(await webEnv()).toEqual(expect.arrayContaining(['GREETING=from-file', 'COLOUR=green']))
    expect(readFileSync(join(appDir, 'current', 'docker-compose.yml'), 'utf8')).toContain(
      BUSYBOX_IMAGE
    )
    expect(releaseLog().trim().split('\n').length).toBeGreaterThan(0)
  }, 300_000)

  it('gives the root action the same settings, and an input given to the step wins over its key', async () => {
    writeConfig()
    const r = await runStep(ROOT_ACTION, {
      key: hosts.key.privateKey,
      vars: 'GREETING=from-input\nCOLOUR=green'
    })
    if (r.code !== 0) throw new Error(`the root action failed:\n${r.output}`)
    expect(await webEnv()).toEqual(expect.arrayContaining(['GREETING=from-input', 'COLOUR=green']))
    expect(r.outputs['deployed-ref']).toBe('2'.repeat(40))
  }, 300_000)

  it('stops at a misspelt key before connecting, naming its line and the key meant', async () => {
    writeConfig('stratgy: rolling\n')
    const before = releaseLog()
    const containers = await projectContainers(project)
    for (const bundle of [SSH_DEPLOY, ROOT_ACTION]) {
      const r = await runStep(bundle, { key: hosts.key.privateKey })
      expect([bundle, r.code]).toEqual([bundle, 1])
      expect(r.output).toContain(
        `::error::Input 'config': .github/deploy-kit.yml line 14: "stratgy" is not a deploy-kit setting. Did you mean strategy?`
      )
      expect(r.output).not.toContain('Preflight')
    }
    expect(releaseLog()).toBe(before)
    expect(await projectContainers(project)).toEqual(containers)
  }, 120_000)

  it('says a bad value came from the file, and refuses a secret in it', async () => {
    writeConfig('strategy: sideways\n')
    const bad = await runStep(SSH_DEPLOY, { key: hosts.key.privateKey })
    expect(bad.code).toBe(1)
    expect(bad.output).toMatch(
      /::error::Input 'strategy': "sideways" is not one of [^\n]* \(the value is from \.github\/deploy-kit\.yml\)/
    )
    writeConfig(`password: hunter2\n`)
    const secret = await runStep(ROOT_ACTION, { key: hosts.key.privateKey })
    expect(secret.code).toBe(1)
    expect(secret.output).toContain(
      `::error::Input 'config': .github/deploy-kit.yml line 14: password is a secret, so it cannot be in the config file. Pass it as an input from a secret`
    )
  }, 120_000)
})
