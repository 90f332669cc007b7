// One host of the fleet testbed (its own sshd, Docker engine and disk, behind
// a 50 ms link). The root action runs in this process and uploads busybox
// httpd as the app; its smoke check asks for /health from the runner. While
// that smoke check runs, a second deploy asks for the host's deploy lock over
// its own SSH connection: the lock is still the first run's, and the refusal
// names that run's URL and attempt. A release whose smoke check failed is
// `failed` in the server's release log, never `succeeded`, and `previous`
// afterwards skips it. GitHub's own service is not involved: the run's
// identity comes from the GITHUB_* variables the runner sets.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readConnectionSettings } from '../../../src/core/connection-settings.js'
import { errorMessage } from '../../../src/core/errors.js'
import { HostContext } from '../../../src/core/fleet.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { SshSession } from '../../../src/core/ssh-session.js'
import { statePaths } from '../../../src/commands/state-paths.js'
import { DeployLock } from '../../../src/ssh-deploy/lock.js'
import { findRollbackTarget, readReleaseLog } from '../../../src/ssh-deploy/release-log.js'
import { run, setOutputs } from '../../../src/whole-deploy/main.js'
import { readRootSettings } from '../../../src/whole-deploy/root-settings.js'
import { InProcessAction, InProcessRun, throughEntry } from '../../helpers/in-process-action.js'
import { httpText } from '../../../testbed/apps.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { FleetHosts, startFleetHosts } from '../../../testbed/fleet-hosts.js'
import { BUSYBOX_IMAGE } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { waitFor } from '../../../testbed/run.js'

const API_PORT = 8080
const APP_DIR = '/srv/shop'
const RUN_URL = 'https://github.com/org/shop/actions/runs/4242'
const paths = statePaths(APP_DIR)

let dockerPid: number | undefined
let fleet: FleetHosts
let work: string
let app: string
let action: InProcessAction
let other: SshSession | undefined

/** The app's tree: busybox httpd serving www/, with /health only when healthy. */
function release(name: string, healthy: boolean): void {
  writeFileSync(
    join(app, 'docker-compose.yml'),
    `services:
  api:
    image: ${BUSYBOX_IMAGE}
    labels: { shop.release: ${name} }
    volumes: ["./www:/www:ro"]
    ports: ["${API_PORT}:8080"]
    command: ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $$!; exit 0' TERM; wait"]
`
  )
  writeFileSync(join(app, 'www', 'version'), `${name}\n`)
  if (healthy) writeFileSync(join(app, 'www', 'health'), 'ok\n')
  else rmSync(join(app, 'www', 'health'), { force: true })
}

let deploys = 0
function deploy(extra: Record<string, string> = {}): Promise<InProcessRun> {
  deploys += 1
  action.setEnv({ GITHUB_SHA: String(deploys).repeat(40) })
  return action.runAction({
    host: fleet.hostInput(1),
    key: fleet.key.privateKey,
    'known-hosts': fleet.knownHosts(),
    'app-dir': APP_DIR,
    source: 'upload',
    'upload-path': app,
    'project-name': 'shop',
    'smoke-urls': `http://${fleet.hosts[0].address}:${API_PORT}/health`,
    'smoke-expect-status': '200',
    'smoke-wait-timeout': '2',
    ...extra
  })
}

/** The host's release log, as its own disk holds it. */
async function logText(): Promise<string> {
  const r = await fleet.hosts[0].exec(['sh', '-c', `cat ${paths.log} 2>/dev/null || true`])
  return r.stdout
}

async function lockExists(): Promise<boolean> {
  return (await fleet.hosts[0].exec(['test', '-e', paths.lock])).code === 0
}

/** Another deploy's connection to the host, as its ssh-deploy stage opens one. */
async function otherDeploy(): Promise<HostContext> {
  const settings = readConnectionSettings(
    mapInputs({
      host: fleet.hostInput(1),
      key: fleet.key.privateKey,
      'known-hosts': fleet.knownHosts(),
      'connect-retries': '0'
    })
  )
  other ??= await SshSession.open(settings.targets[0], settings, settings.proxy)
  return new HostContext(other, '')
}

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  fleet = await startFleetHosts(1, { images: [BUSYBOX_IMAGE] })
  work = mkdtempSync(join(tmpdir(), 'locktruth-'))
  app = join(work, 'app')
  mkdirSync(join(app, 'www'), { recursive: true })
  action = new InProcessAction(
    throughEntry(read => ({ readSettings: () => readRootSettings(read), run, setOutputs })),
    {
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'org/shop',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '3'
    }
  )
}, 10 * 60_000)

afterAll(async () => {
  await other?.close()
  action?.remove()
  if (work) rmSync(work, { recursive: true, force: true })
  await fleet?.stop()
  if (dockerPid) await stopDocker(dockerPid)
})

it('a verified release is succeeded in the log, and the lock is free once the run ends', async () => {
  release('v1', true)
  const r = await deploy()
  if (r.failed) throw new Error(r.output)
  const log = readReleaseLog(await logText())
  expect(log.records.map(x => [x.ref, x.status])).toEqual([['1'.repeat(40), 'succeeded']])
  expect(await lockExists()).toBe(false)
  expect(await httpText(`http://${fleet.hosts[0].address}:${API_PORT}/version`)).toBe('v1\n')
})

it('holds the lock through the smoke check: a second deploy waits, then fails naming the holder', async () => {
  release('v2', false)
  const first = deploy({ 'smoke-wait-timeout': '25', 'auto-rollback': 'false' })
  // The second release is ready (its images recorded): the smoke check runs now.
  await waitFor(
    async () => (await logText()).split('\n').filter(l => l.includes('"images"')).length >= 2,
    120_000,
    'the second release to be ready'
  )
  const host = await otherDeploy()
  const owner = {
    token: 'second-deploy',
    runKey: 'org/shop#4243.1:deploy',
    runUrl: 'https://github.com/org/shop/actions/runs/4243',
    release: 'second',
    since: new Date().toISOString()
  }
  const second = await DeployLock.acquire(host, APP_DIR, owner, 2_000).then(
    async lock => {
      await lock.release()
      return 'the lock was free during the smoke check'
    },
    (err: unknown) => errorMessage(err)
  )
  expect(second).toContain(`the app is locked by another deploy: ${RUN_URL} (attempt 3, release `)
  expect(second).toContain('Waited 2s (lock-timeout)')

  const r = await first
  expect(r.failed).toBe(true)
  expect(r.output).toMatch(/smoke-check/)
  const log = readReleaseLog(await logText())
  const v2 = log.records.find(x => x.ref === '2'.repeat(40))
  expect(v2?.status).toBe('failed')
  expect(v2?.error).toMatch(/^smoke-check: 1 of 1 check\(s\) failed/)
  // Still served (auto-rollback: false), but never taken as the last good release.
  expect(await httpText(`http://${fleet.hosts[0].address}:${API_PORT}/version`)).toBe('v2\n')
  expect(await lockExists()).toBe(false)
})

it('previous skips the release whose smoke check failed', async () => {
  release('v3', true)
  const r = await deploy()
  if (r.failed) throw new Error(r.output)
  // The release before this one that was verified is v1, not the failed v2.
  expect(r.outputs['previous-ref']).toBe('1'.repeat(40))
  const records = readReleaseLog(await logText()).records
  expect(records.map(x => x.status)).toEqual(['succeeded', 'failed', 'succeeded'])
  expect(findRollbackTarget(records, 'previous')?.ref).toBe('1'.repeat(40))
  expect(await lockExists()).toBe(false)
})
