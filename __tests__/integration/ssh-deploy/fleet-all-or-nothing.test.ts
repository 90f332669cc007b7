// ssh-deploy over three real hosts (testbed/fleet-hosts.ts: each its own
// network namespace, sshd, Docker engine and disk, behind a 50 ms link): a
// fleet ends on one release. Every host is checked before any changes; a host
// that fails after others switched sends every host back to the release it ran
// before, each by its own release log; a canary that fails leaves the other
// hosts untouched. What each host runs is read from the host itself: the
// container its engine runs, and the release's file on its own disk.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { runAction } from '../../../src/core/entry.js'
import { run } from '../../../src/ssh-deploy/main.js'
import { readDeploySettings } from '../../../src/ssh-deploy/settings.js'
import { run as runRoot, setOutputs } from '../../../src/whole-deploy/main.js'
import { readRootSettings } from '../../../src/whole-deploy/root-settings.js'
import { InProcessAction, InProcessRun } from '../../helpers/in-process-action.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { FleetHost, FleetHosts, startFleetHosts } from '../../../testbed/fleet-hosts.js'
import { BUSYBOX_IMAGE } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { ensureKeyLoginUser } from '../../../testbed/users.js'

const APP = '/srv/app'
const PROJECT = 'fleetapp'
/** The root action's app, beside the other. */
const ROOT_APP = '/srv/root-app'
const ROOT_PROJECT = 'rootapp'
/** A release's compose file reads this env file, which only the hosts given it have. */
const settingsOf = (version: string) => `/srv/${version}-settings.env`
/** A deploy user without the docker group (the account is the machine's: hosts share /etc). */
const NO_DOCKER_USER = 'deploykit-fleet-nodocker'

let work: string
let dockerPid: number | undefined
let fleet: FleetHosts
let action: InProcessAction
/** Which action the next run is: ssh-deploy, or the root action (the whole deploy). */
let entry: 'ssh-deploy' | 'root' = 'ssh-deploy'
const trees = new Map<string, string>()
/** Release id of the first deploy, which every host ran before the later ones. */
let v1: string

/** The upload tree of a version: a compose file whose container says its version, and a VERSION file. */
function tree(version: string): string {
  const dir = join(work, version)
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'compose.yml'),
    [
      'services:',
      '  web:',
      `    image: ${BUSYBOX_IMAGE}`,
      '    command: ["sleep", "3600"]',
      '    stop_signal: SIGKILL',
      `    env_file: [${settingsOf(version)}]`,
      '    environment:',
      `      APP_VERSION: ${version}`,
      ''
    ].join('\n')
  )
  writeFileSync(join(dir, 'VERSION'), `${version}\n`)
  trees.set(version, dir)
  return dir
}

async function deploy(
  version: string,
  extra: Record<string, string> = {},
  app = APP
): Promise<InProcessRun> {
  const r = await action.runAction({
    host: fleet.hostInput(3),
    key: fleet.key.privateKey,
    'known-hosts': fleet.knownHosts(),
    'app-dir': app,
    'project-name': app === APP ? PROJECT : ROOT_PROJECT,
    source: 'upload',
    'upload-path': trees.get(version) ?? tree(version),
    ref: version,
    'wait-timeout': '60',
    'min-free-mb': '10',
    ...extra
  })
  console.log(`fleet deploy of ${version}: ${(r.elapsedMs / 1000).toFixed(1)} s`)
  return r
}

/** Gives the hosts the env file `version` reads; compose up fails on the others. */
async function settingsOn(version: string, hosts: FleetHost[]): Promise<void> {
  for (const host of hosts) await onHost(host, ['touch', settingsOf(version)])
}

async function onHost(host: FleetHost, argv: string[]): Promise<string> {
  const r = await host.exec(argv)
  if (r.code !== 0) throw new Error(`${argv.join(' ')} on host ${host.index}: ${r.stderr}`)
  return r.stdout
}

/** What a host runs: its app container's id and version, and the version file of its live release. */
async function runs(
  host: FleetHost,
  app = APP
): Promise<{ container: string; env: string; file: string }> {
  const ids = (
    await onHost(host, [
      'docker',
      'ps',
      '--quiet',
      '--filter',
      `label=com.docker.compose.project=${app === APP ? PROJECT : ROOT_PROJECT}`
    ])
  )
    .split('\n')
    .filter(Boolean)
  expect(ids).toHaveLength(1)
  const env = await onHost(host, [
    'docker',
    'inspect',
    '--format',
    '{{.State.Running}}\n{{range .Config.Env}}{{println .}}{{end}}',
    ids[0]
  ])
  const version = /^APP_VERSION=(.*)$/m.exec(env)?.[1] ?? ''
  return {
    container: ids[0],
    env: `${env.startsWith('true') ? 'running' : 'stopped'} ${version}`,
    file: (await onHost(host, ['cat', `${app}/current/VERSION`])).trim()
  }
}

const releaseLog = (host: FleetHost) => onHost(host, ['cat', `${APP}/.deploy-kit/releases.jsonl`])

const label = (host: FleetHost, user = 'root') =>
  `${user}@${host.server.address}:${host.server.port}`

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  work = mkdtempSync(join(tmpdir(), 'fleet-all-or-nothing-'))
  fleet = await startFleetHosts(3)
  ensureKeyLoginUser(NO_DOCKER_USER, '/bin/sh')
  // sshd reads the keys it trusts as the user logging in: that user must reach them on host 2.
  const h2 = fleet.hosts[1]
  for (const dir of [dirname(h2.disk), h2.disk, h2.sshd.dir]) chmodSync(dir, 0o711)
  chmodSync(join(h2.sshd.dir, 'authorized_keys'), 0o644)
  action = new InProcessAction(read =>
    entry === 'root'
      ? runAction({ readSettings: () => readRootSettings(read), run: runRoot, setOutputs })
      : runAction({ readSettings: () => readDeploySettings(read), run })
  )
  await settingsOn('v1', fleet.hosts)
  const first = await deploy('v1')
  expect([first.failed, first.output]).toEqual([false, expect.stringContaining('Deployed v1')])
  v1 = first.outputs['release-id']
}, 10 * 60_000)

afterAll(async () => {
  action?.remove()
  await fleet?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
  if (dockerPid !== undefined) await stopDocker(dockerPid)
})

describe('a fleet deploy, all or nothing', () => {
  it('sends every host back to its own previous release when the third fails after the others switched', async () => {
    const [h1, h2, h3] = fleet.hosts
    await settingsOn('v2', [h1, h2])
    // Two at a time: hosts 1 and 2 have switched to v2 before host 3 starts.
    const r = await deploy('v2', { 'max-parallel': '2' })
    expect(r.failed).toBe(true)
    for (const host of [h1, h2, h3]) {
      expect(await runs(host)).toEqual({
        container: expect.any(String),
        env: 'running v1',
        file: 'v1'
      })
    }
    const back = `back on release ${v1} (v1), as before this run`
    expect(r.output).toContain(
      `Deploy failed on ${label(h3)}. Hosts now: ${label(h1)}: ${back}; ${label(h2)}: ${back}; ${label(h3)}: ${back}`
    )
    const rows = JSON.parse(r.outputs.hosts) as Array<{
      host: string
      status: string
      runs: unknown
    }>
    expect(rows.map(x => [x.host, x.status, x.runs])).toEqual(
      [h1, h2, h3].map(h => [label(h), 'rolled-back', { release: v1, ref: 'v1' }])
    )
    expect(r.summary).toContain(back)
    // Hosts 1 and 2 had switched: their logs say v2 went live and was then rolled back.
    for (const host of [h1, h2])
      expect(await releaseLog(host)).toMatch(/"ref":"v2"[\s\S]*"rolled-back"/)
  })

  it('refuses before any change when one deploy user cannot reach the docker daemon', async () => {
    const [h1, h2, h3] = fleet.hosts
    const before = await Promise.all(
      fleet.hosts.map(async h => [await runs(h), await releaseLog(h)])
    )
    const hosts = [label(h1), label(h2, NO_DOCKER_USER), label(h3)].join('\n')
    const r = await deploy('v3', { host: hosts })
    expect(r.failed).toBe(true)
    expect(r.output).toContain('failed the check; no host was changed')
    expect(r.output).toContain(
      `${label(h2, NO_DOCKER_USER)}: the user cannot reach the Docker daemon (permission denied on /var/run/docker.sock): add it to the docker group`
    )
    // The other hosts passed the check: no host is named with a problem but that one.
    expect(r.output).not.toContain(`${label(h1)}: the user`)
    const after = await Promise.all(
      fleet.hosts.map(async h => [await runs(h), await releaseLog(h)])
    )
    expect(after).toEqual(before)
  })

  it('with canary: 1, a canary that fails leaves the other hosts untouched', async () => {
    const [h1, h2, h3] = fleet.hosts
    const untouched = await Promise.all(
      [h2, h3].map(async h => [await runs(h), await releaseLog(h)])
    )
    const live = (await runs(h2)).env
    await settingsOn('v4', [h2, h3])
    const r = await deploy('v4', { canary: '1' })
    expect(r.failed).toBe(true)
    expect(
      await Promise.all([h2, h3].map(async h => [await runs(h), await releaseLog(h)]))
    ).toEqual(untouched)
    expect(live).toBe('running v1')
    expect(await runs(h1)).toEqual({
      container: expect.any(String),
      env: 'running v1',
      file: 'v1'
    })
    // The rollback of the test before runs v1's files: going back means going back to v1.
    const still = `untouched, still on release ${v1} (v1)`
    expect(r.output).toContain(
      `Deploy failed on ${label(h1)}. Hosts now: ${label(h1)}: back on release ${v1} (v1), as before this run; ` +
        `${label(h2)}: ${still}; ${label(h3)}: ${still}`
    )
  })
})

describe("the root action's rollback", () => {
  it('sends each host back to what it ran before, and leaves a host the deploy did not change', async () => {
    const [h1, h2, h3] = fleet.hosts
    entry = 'root'
    try {
      await settingsOn('r1', fleet.hosts)
      await settingsOn('r2', fleet.hosts)
      await settingsOn('r3', fleet.hosts)
      expect((await deploy('r1', {}, ROOT_APP)).failed).toBe(false)
      const second = await deploy('r2', {}, ROOT_APP)
      expect(second.failed).toBe(false)
      const r2 = second.outputs['release-id']
      // Host 3 refuses r3 in its pre-deploy hook, before its release is recorded as started.
      await onHost(h3, ['touch', '/srv/refuse-r3'])
      const r = await deploy('r3', { 'pre-deploy': 'test ! -e /srv/refuse-r3' }, ROOT_APP)
      expect(r.failed).toBe(true)
      expect(r.outputs['rolled-back']).toBe('true')
      // Each host runs r2 again: none went two releases back to r1.
      for (const host of [h1, h2, h3]) {
        expect(await runs(host, ROOT_APP)).toEqual({
          container: expect.any(String),
          env: 'running r2',
          file: 'r2'
        })
      }
      expect(r.output).toContain(
        `Rolled back, each host to the release it ran before: ${label(h1)}: back on release ${r2} (r2); ` +
          `${label(h2)}: back on release ${r2} (r2); ${label(h3)}: unchanged, still on release ${r2} (r2)`
      )
    } finally {
      entry = 'ssh-deploy'
    }
  })
})
