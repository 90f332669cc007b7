// Which Compose a deploy uses, decided on a real server: one sshd sees the
// CLI plugin directories empty (its own mount namespace), so only Compose v1
// (/usr/bin/docker-compose) answers there, as on an older server; the other
// has both and must get v2.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ActionRun, runAction } from '../../testbed/action-runner.js'
import {
  AppRepo,
  createAppRepo,
  httpText,
  projectContainers,
  removeComposeProject
} from '../../testbed/apps.js'
import { ensureDocker, stopDocker } from '../../testbed/docker.js'
import { ensureBaseImages } from '../../testbed/images.js'
import { freePort } from '../../testbed/ports.js'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { runChecked } from '../../testbed/run.js'
import { startSshHosts, SshHosts } from '../../testbed/ssh-hosts.js'
import { WithoutDockerPlugins, withoutDockerPlugins } from '../../testbed/without-docker-plugins.js'

let v1Only: SshHosts
let noPlugins: WithoutDockerPlugins
let both: SshHosts
let dockerPid: number | undefined
let app: AppRepo
let servers: string
let sha: string
const projects: string[] = []

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  noPlugins = withoutDockerPlugins()
  v1Only = await startSshHosts(1, { launcher: noPlugins.launcher })
  both = await startSshHosts(1)
  servers = mkdtempSync(join(tmpdir(), 'deploykit-detect-'))
  app = await createAppRepo({ branch: 'main', composeFile: 'docker-compose.yml' })
  sha = await app.release('v1')
}, 30 * 60_000)

afterAll(async () => {
  for (const p of projects) await removeComposeProject(p)
  await app?.cleanup()
  await v1Only?.stop()
  noPlugins?.remove()
  await both?.stop()
  rmSync(servers, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

async function deploy(
  hosts: SshHosts,
  name: string,
  choice: string
): Promise<{ run: ActionRun; project: string; port: number }> {
  const project = `dkdetect${name}${process.pid % 1000}`
  projects.push(project)
  const port = await freePort()
  const run = await runAction(
    'ssh-deploy',
    {
      host: hosts.hostInput(1),
      key: hosts.key.privateKey,
      'known-hosts': hosts.knownHosts(),
      'connect-retries': '0',
      'app-dir': join(servers, name),
      repository: app.bare,
      'env-file': '.env',
      env: `APP_PORT=${port}`,
      'project-name': project,
      'compose-command': choice,
      build: 'true',
      'wait-timeout': '60'
    },
    { env: { GITHUB_SHA: sha } }
  )
  return { run, project, port }
}

async function composeVersionOf(project: string): Promise<string> {
  const [container] = await projectContainers(project)
  const { stdout } = await runChecked('docker', [
    'inspect',
    '--format',
    '{{index .Config.Labels "com.docker.compose.version"}}',
    container
  ])
  return stdout.trim()
}

describe('compose-command: auto', () => {
  it('deploys with docker-compose (v1) on a server where `docker compose` does not answer', async () => {
    const { run, project, port } = await deploy(v1Only, 'old', 'auto')
    if (run.code !== 0) throw new Error(run.output)
    expect(run.output).toContain('Compose: docker-compose')
    expect(await composeVersionOf(project)).toMatch(/^1\.29\./)
    expect(await httpText(`http://127.0.0.1:${port}/version.txt`)).toBe('v1\n')
  })

  it('prefers docker compose (v2) where both answer', async () => {
    const { run, project } = await deploy(both, 'new', 'auto')
    if (run.code !== 0) throw new Error(run.output)
    expect(run.output).toContain('Compose: docker compose')
    expect(await composeVersionOf(project)).toMatch(/^2\./)
  })
})

describe('compose-command: docker compose', () => {
  it('fails on a server with only v1, naming the input, before any container starts', async () => {
    const { run, project } = await deploy(v1Only, 'strict', 'docker compose')
    expect(run.code).not.toBe(0)
    expect(run.output).toContain('`docker compose` does not work (compose-command: docker compose)')
    expect(await projectContainers(project)).toEqual([])
  })
})
