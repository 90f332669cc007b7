// What "ready" means after `docker compose up`: healthy (or running, without
// a healthcheck), not restarted, and so for wait-stable seconds. The root
// action runs in this process (helpers/in-process-action.ts) against the real
// testbed: sshd on loopback, the Docker engine and Compose, a git remote on
// disk. One app with a `worker` service without a healthcheck, whose script
// each release rewrites: it runs, it crash-loops, it exits at once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run, setOutputs } from '../../../src/whole-deploy/main.js'
import { readRootSettings } from '../../../src/whole-deploy/root-settings.js'
import { InProcessAction, throughEntry } from '../../helpers/in-process-action.js'
import { AppRepo, createAppRepo, httpText, removeComposeProject } from '../../../testbed/apps.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { ensureBaseImages } from '../../../testbed/images.js'
import { freePort } from '../../../testbed/ports.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { runChecked } from '../../../testbed/run.js'
import { startSshHosts, SshHosts } from '../../../testbed/ssh-hosts.js'

const COMPOSE_FILE = 'docker-compose.prod.yml'

let hosts: SshHosts
let dockerPid: number | undefined
let servers: string
let app: AppRepo
let action: InProcessAction
let port: number
let inputs: Record<string, string>
const project = `dkready${process.pid % 1000}${Date.now() % 10000}`

/** The worker: the app's image, running the release's www/worker.sh; `restart` as given. */
function writeWorker(script: string, restart: string): void {
  const compose = join(app.work, COMPOSE_FILE)
  const text = readFileSync(compose, 'utf8').replace(/\n {2}worker:\n[\s\S]*$/, '\n')
  writeFileSync(
    compose,
    `${text}  worker:\n    build: .\n    command: ["sh", "/www/worker.sh"]\n    restart: "${restart}"\n`
  )
  writeFileSync(join(app.work, 'www', 'worker.sh'), script)
}

/** The worker's state as the engine shows it. */
async function worker(): Promise<{ status: string; restarts: number; logs: string }> {
  const { stdout } = await runChecked('docker', [
    'ps',
    '-aq',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    'label=com.docker.compose.service=worker'
  ])
  const id = stdout.trim()
  const [c] = JSON.parse((await runChecked('docker', ['inspect', id])).stdout) as Array<{
    RestartCount: number
    State: { Status: string }
  }>
  const logs = (await runChecked('docker', ['logs', id])).stdout
  return { status: c.State.Status, restarts: c.RestartCount, logs }
}

/** The release log, one entry per release (its records merged), oldest first. */
function releases(appDir: string): Array<{ id: string; ref: string; status: string }> {
  const byId = new Map<string, { id: string; ref: string; status: string }>()
  for (const line of readFileSync(join(appDir, '.deploy-kit', 'releases.jsonl'), 'utf8')
    .trim()
    .split('\n')) {
    const r = JSON.parse(line) as { id: string; ref?: string; status?: string }
    const known = byId.get(r.id)
    byId.set(r.id, {
      id: r.id,
      ref: r.ref ?? known?.ref ?? '',
      status: r.status ?? known?.status ?? ''
    })
  }
  return [...byId.values()]
}

const deploy = (sha: string, more: Record<string, string> = {}) => {
  action.setEnv({ GITHUB_SHA: sha })
  return action.runAction({ ...inputs, env: `APP_PORT=${port}`, ...more })
}

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  await ensureBaseImages()
  hosts = await startSshHosts(1)
  servers = mkdtempSync(join(tmpdir(), 'deploykit-ready-'))
  app = await createAppRepo({ branch: 'main', composeFile: COMPOSE_FILE })
  port = await freePort()
  action = new InProcessAction(
    throughEntry(read => ({ readSettings: () => readRootSettings(read), run, setOutputs })),
    { GITHUB_REPOSITORY: 'org/app', GITHUB_RUN_ID: '1' }
  )
  inputs = {
    host: hosts.hostInput(1),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'connect-retries': '0',
    'app-dir': join(servers, 'app'),
    'compose-files': COMPOSE_FILE,
    'env-file': '.env',
    'project-name': project,
    repository: app.bare,
    build: 'true',
    // Longer than any test here may take: a wait that ends, ends before the timeout.
    'wait-timeout': '600'
  }
}, 30 * 60_000)

afterAll(async () => {
  await removeComposeProject(project)
  await app?.cleanup()
  action?.remove()
  await hosts?.stop()
  if (servers) rmSync(servers, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

describe('waiting for the containers of a release', () => {
  let v1 = ''

  it('passes once the healthy service and the running one stayed so for wait-stable', async () => {
    writeWorker(
      "trap 'exit 0' TERM\necho worker up\nwhile :; do sleep 1 & wait $!; done\n",
      'unless-stopped'
    )
    v1 = await app.release('v1')
    // 8 s without a change of state: the wait says what it still waits for once in 5 s, not each poll.
    const r = await deploy(v1, { 'wait-stable': '8' })
    if (r.failed) throw new Error(r.output)
    const still = r.output.split('\n').filter(l => l.startsWith('Still waiting for '))
    expect(still.length).toBeGreaterThanOrEqual(1)
    expect(still.length).toBeLessThanOrEqual(2)
    expect(still[0]).toMatch(
      /^Still waiting for (worker|backend) \(running( \(healthy\))?, stable for \ds of 8s\).*: \d+s of 600s \(wait-timeout\)$/
    )
    expect(r.outputs['deployed-ref']).toBe(v1)
    expect(await httpText(`http://127.0.0.1:${port}/version.txt`)).toBe('v1\n')
    expect(await worker()).toMatchObject({ status: 'running', restarts: 0 })
  })

  it('passes at its first look at containers the deploy left running: up and passing for wait-stable by the server clock', async () => {
    const before = await worker()
    // The same release again: `up` leaves both containers as they are. The backend's
    // healthcheck runs each second and the engine keeps its last 5 probes, so 3 s of them.
    await new Promise(resolve => setTimeout(resolve, 3000))
    const r = await deploy(v1, { 'wait-stable': '3' })
    if (r.failed) throw new Error(r.output)
    const looks = r.output.split('\n').filter(l => /\$ sh -c .*exec docker inspect/.test(l))
    expect(looks).toHaveLength(1)
    expect(r.output).not.toMatch(/stable for \d+s of 3s/)
    expect(await worker()).toMatchObject({ status: 'running', restarts: before.restarts })
  })

  it('fails on a crash-looping service without a healthcheck, and the deploy rolls the host back', async () => {
    // Runs 2 s, then exits 1; the engine starts it again and again.
    writeWorker(
      "trap 'exit 1' TERM\necho worker v2 starting\nsleep 2 & wait $!\necho worker v2 gave up\nexit 1\n",
      'unless-stopped'
    )
    const v2 = await app.release('v2')
    const r = await deploy(v2)

    expect(r.failed).toBe(true)
    expect(r.output).toMatch(/worker .*(restarted|restarting)/)
    expect(r.output).toContain('worker v2 gave up')
    expect(r.output).not.toContain('not ready after')
    expect(r.outputs['rolled-back']).toBe('true')
    expect(r.output).toMatch(
      new RegExp(
        `Rolled back, each host to the release it ran before: .*back on release \\S+ \\(${v1.slice(0, 12)}\\)`
      )
    )
    // The host runs v1 again: its page, and its worker, which stays up.
    expect(await httpText(`http://127.0.0.1:${port}/version.txt`)).toBe('v1\n')
    const w = await worker()
    expect(w).toMatchObject({ status: 'running', restarts: 0 })
    expect(w.logs).toContain('worker up')
    const log = releases(inputs['app-dir'])
    expect(log.find(x => x.ref === v2)?.status).toBe('failed')
    expect(log[log.length - 1]).toMatchObject({ ref: v1, status: 'succeeded' })
  })

  it('fails at once on a service that exits non-zero, with its exit code and last log line', async () => {
    writeWorker('echo "worker: DATABASE_URL is not set" >&2\nexit 3\n', 'no')
    const v3 = await app.release('v3')
    const r = await deploy(v3, { 'auto-rollback': 'false' })

    expect(r.failed).toBe(true)
    // wait-timeout is 600 s, longer than this test may run: the wait ended on the exit.
    expect(r.output).not.toContain('not ready after')
    expect(r.output).toMatch(
      /worker exited with code 3[^\n]*\n?[^\n]*worker: DATABASE_URL is not set/
    )
    expect(await worker()).toMatchObject({ status: 'exited' })
  })
})
