// Deploys that overlap or arrive out of order, with the bundles under Node 24
// against the real testbed (sshd on loopback, the Docker engine, Compose found
// by detection, git remotes on disk): a deploy of a commit older than the live
// one is refused before anything changes, and a deploy whose lock another
// deploy took over stops before its next change.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync
} from 'node:fs'
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
  servers = mkdtempSync(join(tmpdir(), 'deploykit-order-'))
}, 30 * 60_000)

afterAll(async () => {
  for (const p of projects) await removeComposeProject(p)
  for (const a of apps) await a.cleanup()
  await hosts?.stop()
  if (servers) rmSync(servers, { recursive: true, force: true })
  if (dockerPid) await stopDocker(dockerPid)
})

interface TestApp {
  app: AppRepo
  project: string
  port: number
  appDir: string
  inputs: Record<string, string>
}

async function newApp(name: string): Promise<TestApp> {
  const app = await createAppRepo({ branch: 'main', composeFile: 'docker-compose.prod.yml' })
  apps.push(app)
  const project = `dkorder${name}${process.pid % 1000}${Date.now() % 10000}`
  projects.push(project)
  const port = await freePort()
  const appDir = join(servers, name)
  return {
    app,
    project,
    port,
    appDir,
    inputs: {
      host: hosts.hostInput(1),
      key: hosts.key.privateKey,
      'known-hosts': hosts.knownHosts(),
      'connect-retries': '0',
      'app-dir': appDir,
      'compose-files': 'docker-compose.prod.yml',
      'env-file': '.env',
      'project-name': project,
      build: 'true',
      'wait-timeout': '60'
    }
  }
}

const deploy = (inputs: Record<string, string>, sha: string, action = 'ssh-deploy') =>
  runAction(action, inputs, { env: { GITHUB_SHA: sha } })

function expectOk(r: ActionRun): void {
  if (r.code !== 0) throw new Error(`action failed (${r.code}):\n${r.output}`)
}

const gitHead = (dir: string) =>
  execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()

const releaseLog = (appDir: string) =>
  readFileSync(join(appDir, '.deploy-kit', 'releases.jsonl'), 'utf8')

/** What a user looks at to see whether a deploy changed the server. */
async function serverState(t: TestApp) {
  return {
    containers: await projectContainers(t.project),
    log: releaseLog(t.appDir),
    env: readFileSync(join(t.appDir, '.env'), 'utf8'),
    served: await httpText(`http://127.0.0.1:${t.port}/version.txt`)
  }
}

describe('a commit older than the live one', () => {
  it('is refused before anything changes, deployed with allow-older, and rollback-to still goes back', async () => {
    const t = await newApp('git')
    const a = await t.app.release('vA')
    const b = await t.app.release('vB')
    const first = await deploy(
      { ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}` },
      b
    )
    expectOk(first)
    const liveId = first.outputs['release-id']
    const before = await serverState(t)
    expect(before.served).toBe('vB\n')

    // The run of an earlier push whose deploy came last.
    const late = await deploy({ ...t.inputs, vars: 'DEBUG=1' }, a)
    expect(late.code).toBe(1)
    expect(late.output).toContain(
      `::error::${hosts.hostInput(1)}: ${a} is older than the live release ${liveId} (${b} at `
    )
    expect(late.output).toContain(
      `it is an ancestor of ${b}, so deploying it would go back (a deploy of an earlier push that ran last?). Nothing was changed. ` +
        'To deploy it anyway, set allow-older: true; to go back to a release, use rollback-to'
    )
    expect(await serverState(t)).toEqual(before)
    expect(gitHead(t.appDir)).toBe(b)
    expect(JSON.parse(late.outputs.hosts)).toEqual([
      expect.objectContaining({ status: 'failed', changed: false })
    ])

    // The whole-deploy action takes the same input and refuses the same way.
    const whole = await deploy(t.inputs, a, 'deploy')
    expect(whole.code).toBe(1)
    expect(whole.output).toContain(`${a} is older than the live release ${liveId} (${b}`)
    expect(whole.output).not.toMatch(/rollback: ssh-deploy/)
    expect(await serverState(t)).toEqual(before)

    const older = await deploy({ ...t.inputs, 'allow-older': 'true' }, a)
    expectOk(older)
    expect(older.output).toMatch(
      new RegExp(
        `${a} is older than the live release ${liveId} .*; deploying it because allow-older is true`
      )
    )
    expect(gitHead(t.appDir)).toBe(a)
    expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('vA\n')

    const back = await deploy({ ...t.inputs, 'rollback-to': 'previous' }, a)
    expectOk(back)
    expect(back.outputs['deployed-ref']).toBe(b)
    expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('vB\n')

    // The live commit again (a re-run): a redeploy, not an older one.
    const again = await deploy(t.inputs, b)
    expectOk(again)
    expect(again.output).toContain(
      `${b} is the live commit of release ${back.outputs['release-id']}`
    )
  })

  it('is refused from an upload whose checkout has the history; without it the log says it was not checked', async () => {
    const t = await newApp('upload')
    mkdirSync(t.appDir, { recursive: true })
    writeFileSync(join(t.appDir, '.env'), `APP_PORT=${t.port}\n`)
    const inputs = { ...t.inputs, source: 'upload', 'upload-path': t.app.work }
    const a = await t.app.release('uA')
    const b = await t.app.release('uB')
    const first = await deploy(inputs, b)
    expectOk(first)
    const current = readlinkSync(join(t.appDir, 'current'))
    const releases = readdirSync(join(t.appDir, 'releases'))

    const late = await deploy(inputs, a)
    expect(late.code).toBe(1)
    expect(late.output).toContain(
      `${a} is older than the live release ${first.outputs['release-id']} (${b}`
    )
    expect(readlinkSync(join(t.appDir, 'current'))).toBe(current)
    expect(readdirSync(join(t.appDir, 'releases'))).toEqual(releases)
    expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('uB\n')

    // actions/checkout's default: one commit, no history to compare with.
    const c = await t.app.release('uC')
    const shallow = join(servers, 'shallow-checkout')
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${t.app.bare}`, shallow])
    const blind = await deploy({ ...inputs, 'upload-path': shallow }, c)
    expectOk(blind)
    expect(blind.output).toContain(
      `Could not check that ${c} is not older than the live release ${first.outputs['release-id']} (${b}`
    )
    expect(blind.output).toContain(
      `the runner's checkout (${shallow}) does not have ${b}; deploying it (with the history on the runner, e.g. actions/checkout with fetch-depth: 0, it is checked)`
    )
    expect(await httpText(`http://127.0.0.1:${t.port}/version.txt`)).toBe('uC\n')
  })
})

describe('a deploy whose lock another deploy took over', () => {
  // What a taker does to a lock it found stale: moves it aside and makes its own.
  const takeOver =
    'L=.deploy-kit/lock; mv -T "$L" "$L.gone" && rm -rf "$L.gone" && mkdir "$L" && ' +
    `printf '%s' '{"token":"other","runKey":"acme/app#9.1:deploy","runUrl":"https://github.com/acme/app/actions/runs/9","release":"r-other","since":"2026-01-01T00:00:00Z"}' > "$L/owner.json"`

  it('stops before its next change, says what it changed and what runs, and leaves the lock to the other', async () => {
    const t = await newApp('stolen')
    const v1 = await t.app.release('v1')
    const first = await deploy(
      { ...t.inputs, repository: t.app.bare, env: `APP_PORT=${t.port}` },
      v1
    )
    expectOk(first)
    const before = await serverState(t)
    const v2 = await t.app.release('v2')
    const r = await deploy({ ...t.inputs, vars: 'DEBUG=1', 'pre-deploy': takeOver }, v2)
    expect(r.code).toBe(1)
    const id = r.outputs['release-id']
    expect(r.output).toContain(
      `another deploy took over the deploy lock: https://github.com/acme/app/actions/runs/9 (release r-other, since 2026-01-01T00:00:00Z) ` +
        `while this deploy ran, so it stopped before recording release ${id} as started in ${join(t.appDir, '.deploy-kit', 'releases.jsonl')}. ` +
        `This run had begun: checking out ${v2.slice(0, 12)} in ${t.appDir}; running pre-deploy; ` +
        `the app still runs release ${first.outputs['release-id']} (${v1.slice(0, 12)}). ` +
        'This run changes nothing more there: the deploy holding the lock decides what runs'
    )
    expect(r.output).toMatch(/Hosts now: .*: changed, then taken over by another deploy/)
    expect(JSON.parse(r.outputs.hosts)).toEqual([
      expect.objectContaining({ status: 'failed', changed: true, lockLost: true })
    ])
    // Nothing after the take-over: no release record, the env file and containers as they were.
    expect(await serverState(t)).toEqual(before)
    expect(gitHead(t.appDir)).toBe(v2)
    // The lock is still the other deploy's.
    expect(
      JSON.parse(readFileSync(join(t.appDir, '.deploy-kit', 'lock', 'owner.json'), 'utf8'))
    ).toMatchObject({ token: 'other' })

    // The whole-deploy action does not roll back over the other deploy.
    rmSync(join(t.appDir, '.deploy-kit', 'lock'), { recursive: true })
    const v3 = await t.app.release('v3')
    const whole = await deploy({ ...t.inputs, 'pre-deploy': takeOver }, v3, 'deploy')
    expect(whole.code).toBe(1)
    expect(whole.output).toMatch(
      /Not rolled back: another deploy took over the deploy lock on \S+ and deploys there now/
    )
    expect(whole.output).not.toMatch(/rollback: ssh-deploy/)
    expect(await serverState(t)).toEqual(before)
  })
})
