// The env values ssh-deploy writes, read back from inside the running
// containers: ssh-deploy's bundle under Node 24, sshd on loopback, the Docker
// engine, Compose v2 and Compose v1. Each value reaches the container both
// through the service's `env_file:` and through `${VAR}` interpolated from
// `--env-file` into `environment:` (list and map form), as the examples do.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HOSTILE_VALUES } from '../helpers/hostile-env-values.js'
import { ActionRun, runAction } from '../../testbed/action-runner.js'
import { AppRepo, createAppRepo, httpText, removeComposeProject } from '../../testbed/apps.js'
import { ensureDocker, stopDocker } from '../../testbed/docker.js'
import { BUSYBOX_IMAGE, ensureBaseImages } from '../../testbed/images.js'
import { freePort } from '../../testbed/ports.js'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { runChecked } from '../../testbed/run.js'
import { startSshHosts, SshHosts } from '../../testbed/ssh-hosts.js'

let hosts: SshHosts
let dockerPid: number | undefined
let servers: string
const projects: string[] = []
const apps: AppRepo[] = []

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  hosts = await startSshHosts(1)
  servers = mkdtempSync(join(tmpdir(), 'deploykit-servers-'))
}, 30 * 60_000)

afterAll(async () => {
  for (const p of projects) await removeComposeProject(p)
  for (const a of apps) await a.cleanup()
  await hosts?.stop()
  rmSync(servers, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

const KEYS = HOSTILE_VALUES.map(([key]) => key)

// httpd-less probes that stop at once on SIGTERM and show their environment.
const PROBE = `    image: ${BUSYBOX_IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 86400 & wait"]`
const PROBES = `  probe-file:
${PROBE}
    env_file: .env
  probe-list:
${PROBE}
    environment:
${KEYS.map(k => `      - I_${k}=\${${k}}`).join('\n')}
  probe-map:
${PROBE}
    environment:
${KEYS.map(k => `      M_${k}: \${${k}}`).join('\n')}
`

/** The env input: KEY=VALUE lines, and KEY<<EOF blocks for values over several lines. */
function envInput(pairs: ReadonlyArray<[string, string]>): string {
  return pairs
    .map(([k, v]) => (v.includes('\n') ? `${k}<<EOF_${k}\n${v}\nEOF_${k}` : `${k}=${v}`))
    .join('\n')
}

/** The environment of the service's running container, as its process sees it. */
async function containerEnv(project: string, service: string): Promise<Map<string, string>> {
  const ids = (
    await runChecked('docker', [
      'ps',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--filter',
      `label=com.docker.compose.service=${service}`
    ])
  ).stdout
    .split('\n')
    .filter(Boolean)
  expect(ids).toHaveLength(1)
  const out = (await runChecked('docker', ['exec', ids[0], 'env', '-0'])).stdout
  const env = new Map<string, string>()
  for (const item of out.split('\0').filter(Boolean)) {
    const at = item.indexOf('=')
    env.set(item.slice(0, at), item.slice(at + 1))
  }
  return env
}

async function expectValuesInContainers(
  project: string,
  values: ReadonlyArray<[string, string]>
): Promise<void> {
  const views: Array<[string, string]> = [
    ['probe-file', ''],
    ['probe-list', 'I_'],
    ['probe-map', 'M_']
  ]
  for (const [service, prefix] of views) {
    const env = await containerEnv(project, service)
    const got = values.map(([key]) => [service, key, env.get(prefix + key)])
    expect(got).toEqual(values.map(([key, value]) => [service, key, value]))
  }
}

function expectOk(r: ActionRun): void {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.output}`)
}

async function newApp(name: string, compose: 'docker compose' | 'docker-compose') {
  const app = await createAppRepo({
    branch: 'main',
    composeFile: 'docker-compose.prod.yml',
    extraServices: PROBES
  })
  apps.push(app)
  const project = `dk${name}${process.pid % 1000}${Date.now() % 10000}`
  projects.push(project)
  const port = await freePort()
  const appDir = join(servers, name)
  const inputs = {
    host: hosts.hostInput(1),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'connect-retries': '0',
    'app-dir': appDir,
    'compose-files': app.composeFile,
    'env-file': '.env',
    'project-name': project,
    'compose-command': compose,
    repository: app.bare,
    build: 'true',
    'wait-timeout': '90'
  }
  return { app, project, port, appDir, inputs }
}

describe.each([
  ['v2', 'docker compose'],
  ['v1', 'docker-compose']
] as const)('env values through Compose %s', (version, compose) => {
  it('reach the containers byte for byte, via env_file and via interpolation, deploy after deploy', async () => {
    const t = await newApp(`envfile${version}`, compose)
    const sha = await t.app.release('v1')
    const first: Array<[string, string]> = [['APP_PORT', String(t.port)], ...HOSTILE_VALUES]
    const r1 = await runAction(
      'ssh-deploy',
      { ...t.inputs, env: envInput(first), 'required-env': KEYS.join(',') },
      { env: { GITHUB_SHA: sha } }
    )
    expectOk(r1)
    expect(r1.output).toContain(`Compose: ${compose}`)
    expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('v1\n')
    await expectValuesInContainers(t.project, HOSTILE_VALUES)
    const envPath = join(t.appDir, '.env')
    // One line per value: nothing a later line-based edit could split.
    expect(readFileSync(envPath, 'utf8').split('\n')).toHaveLength(first.length + 1)

    // Lines written by hand stay as they are; values written before are replaced in place.
    const byHand = "# set by hand\nHAND_WRITTEN='kept $as is'  # note\n"
    appendFileSync(envPath, byHand)
    const second = HOSTILE_VALUES.map(([k, v]): [string, string] => [k, `${v} second`])
    const r2 = await runAction(
      'ssh-deploy',
      { ...t.inputs, env: envInput(second) },
      { env: { GITHUB_SHA: sha } }
    )
    expectOk(r2)
    await expectValuesInContainers(t.project, second)
    const text = readFileSync(envPath, 'utf8')
    expect(text.endsWith(byHand)).toBe(true)
    expect(text.split('\n')).toHaveLength(first.length + 3)
    expect((await containerEnv(t.project, 'probe-file')).get('HAND_WRITTEN')).toBe('kept $as is')
  })
})

it('refuses a value holding a carriage return before connecting, naming the key, and leaves the env file as it was', async () => {
  const t = await newApp('envfilecr', 'docker compose')
  const sha = await t.app.release('v1')
  expectOk(
    await runAction(
      'ssh-deploy',
      { ...t.inputs, env: `APP_PORT=${t.port}\nDB_PASSWORD=first` },
      { env: { GITHUB_SHA: sha } }
    )
  )
  const envPath = join(t.appDir, '.env')
  const before = readFileSync(envPath)
  // A NUL cannot be passed at all: the runner hands inputs over as environment
  // variables, which cannot hold one. The unit tests cover it.
  const r = await runAction(
    'ssh-deploy',
    { ...t.inputs, env: 'DB_PASSWORD=second\nBAD_VALUE=windows\r' },
    { env: { GITHUB_SHA: sha } }
  )
  expect(r.code).toBe(1)
  expect(r.output).toContain(
    "Input 'env': the value of BAD_VALUE holds a carriage return (\\r), which Compose v1 reads as a line break"
  )
  expect(r.output).not.toContain('Compose:')
  expect(r.output).not.toContain('windows')
  expect(readFileSync(envPath)).toEqual(before)
})
