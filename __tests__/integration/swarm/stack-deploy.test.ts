// ssh-deploy with target: swarm on a real swarm of three engines: the fleet
// testbed's hosts (testbed/fleet-hosts.ts: each its own network namespace,
// sshd, Docker engine and disk), one manager and two workers. deploy-kit
// reaches the manager only; what runs is read from the engines themselves
// (`docker service ls`, `docker service ps`, `docker service inspect`) and the
// files from the manager's disk.
// The swarm's routing mesh needs the kernel's IPVS, which this machine's kernel lacks
// (/proc/sys/net/ipv4/vs is absent), so no test goes through it: the root action's smoke check
// reaches a port published in host mode on the manager.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction } from '../../../src/core/entry.js'
import { run } from '../../../src/ssh-deploy/main.js'
import { readDeploySettings } from '../../../src/ssh-deploy/settings.js'
import { run as runRoot, setOutputs } from '../../../src/whole-deploy/main.js'
import { readRootSettings } from '../../../src/whole-deploy/root-settings.js'
import { InProcessAction, InProcessRun, throughEntry } from '../../helpers/in-process-action.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { FleetHost, FleetHosts, startFleetHosts } from '../../../testbed/fleet-hosts.js'
import { ALEMBIC_SOURCES, alembicRevisionFile } from '../../../testbed/db-apps.js'
import { FLEET_DB_PORT, startFleetDatabase } from '../../../testbed/fleet-database.js'
import { loadImages } from '../../../testbed/host-engine.js'
import { BUSYBOX_IMAGE, DEBIAN_IMAGE } from '../../../testbed/images.js'
import { Registry, startRegistry } from '../../../testbed/registry.js'
import { runChecked } from '../../../testbed/run.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'

const APP = '/srv/app'
const STACK = 'swarmapp'

let work: string
let dockerPid: number | undefined
let fleet: FleetHosts
let manager: FleetHost
let action: InProcessAction
let first: InProcessRun
let v1: string

/**
 * A release's tree: web (3 replicas, a healthcheck, no update_config), a
 * worker with its own update_config, and a one-shot job. `healthy: false`
 * gives web a healthcheck that never passes.
 */
function tree(version: string, { healthy = true, jobExit = 0 } = {}): string {
  const dir = join(work, version)
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'compose.yml'),
    [
      'services:',
      '  web:',
      `    image: ${BUSYBOX_IMAGE}`,
      '    command: ["sh", "-c", "echo $$APP_VERSION > /tmp/version; exec httpd -f -p 8000 -h /tmp"]',
      '    environment:',
      '      APP_VERSION: ${APP_VERSION}',
      '    healthcheck:',
      `      test: ["CMD", "sh", "-c", "${healthy ? 'test -f /tmp/version' : 'echo unhealthy on purpose; exit 1'}"]`,
      '      interval: 1s',
      '      timeout: 2s',
      '      retries: 2',
      '    deploy:',
      '      replicas: 3',
      '  worker:',
      `    image: ${BUSYBOX_IMAGE}`,
      '    command: ["sleep", "3600"]',
      '    environment:',
      '      APP_VERSION: ${APP_VERSION}',
      '    deploy:',
      '      update_config:',
      '        order: stop-first',
      '        parallelism: 2',
      '  migrate:',
      `    image: ${BUSYBOX_IMAGE}`,
      `    command: ["sh", "-c", "echo migrated $$APP_VERSION; exit ${jobExit}"]`,
      '    environment:',
      '      APP_VERSION: ${APP_VERSION}',
      '    deploy:',
      '      mode: replicated-job',
      ''
    ].join('\n')
  )
  return dir
}

async function deploy(
  version: string,
  opts: { healthy?: boolean; jobExit?: number; waitTimeout?: number } = {}
): Promise<InProcessRun> {
  const r = await action.runAction({
    host: fleet.hostInput(1),
    key: fleet.key.privateKey,
    'known-hosts': fleet.knownHosts(),
    target: 'swarm',
    'app-dir': APP,
    'project-name': STACK,
    'env-file': '.env',
    vars: `APP_VERSION=${version}`,
    source: 'upload',
    'upload-path': tree(version, opts),
    ref: version,
    'wait-timeout': String(opts.waitTimeout ?? 120),
    'min-free-mb': '10'
  })
  console.log(`swarm deploy of ${version}: ${(r.elapsedMs / 1000).toFixed(1)} s`)
  return r
}

async function onManager(argv: string[]): Promise<string> {
  const r = await manager.exec(argv)
  if (r.code !== 0) throw new Error(`${argv.join(' ')} on the manager: ${r.stderr}`)
  return r.stdout
}

const releaseLog = async () =>
  (await onManager(['cat', `${APP}/.deploy-kit/releases.jsonl`]))
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line) as { id: string; status: string; error?: string })

const statusOf = async (id: string) => (await releaseLog()).filter(r => r.id === id).pop()?.status

/** A service's tasks that should run, one line each in `format`, as the engine lists them. */
async function runningTasks(service: string, format: string): Promise<string[]> {
  return (
    await onManager([
      'docker',
      'service',
      'ps',
      '--filter',
      'desired-state=running',
      '--format',
      format,
      service
    ])
  )
    .split('\n')
    .filter(Boolean)
}

/** The web service's running tasks, as the engine lists them. */
async function runningWebTasks(): Promise<Array<{ id: string; state: string }>> {
  return (await runningTasks(`${STACK}_web`, '{{.ID}}|{{.CurrentState}}')).map(line => {
    const [id, state] = line.split('|')
    return { id, state: state.split(' ')[0] }
  })
}

const webSpec = async () =>
  JSON.parse(await onManager(['docker', 'service', 'inspect', `${STACK}_web`]))[0] as {
    Spec: { TaskTemplate: { ContainerSpec: { Env?: string[] } } }
    UpdateStatus?: { State: string }
  }

/** Takes a node off the fleet's network (its veth end on the switch down), or back on. */
function setLink(host: FleetHost, state: 'up' | 'down'): void {
  execFileSync('ip', ['-n', fleet.switchNamespace, 'link', 'set', host.switchPort, state])
}

const nodeStates = async () =>
  (await onManager(['docker', 'node', 'ls', '--format', '{{.Status}}'])).split('\n').filter(Boolean)

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  work = mkdtempSync(join(tmpdir(), 'swarm-stack-deploy-'))
  fleet = await startFleetHosts(3)
  manager = fleet.hosts[0]
  await onManager(['docker', 'swarm', 'init', '--advertise-addr', manager.address])
  const token = (await onManager(['docker', 'swarm', 'join-token', '--quiet', 'worker'])).trim()
  for (const worker of fleet.hosts.slice(1)) {
    const r = await worker.exec([
      'docker',
      'swarm',
      'join',
      '--token',
      token,
      `${manager.address}:2377`
    ])
    if (r.code !== 0) throw new Error(`join: ${r.stderr}`)
  }
  action = new InProcessAction(read =>
    runAction({ readSettings: () => readDeploySettings(read), run })
  )
  first = await deploy('v1')
  v1 = first.outputs['release-id']
}, 10 * 60_000)

afterAll(async () => {
  action?.remove()
  await fleet?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
  if (dockerPid !== undefined) await stopDocker(dockerPid)
})

describe('ssh-deploy with target: swarm', () => {
  it('deploys a stack whose 3 web replicas run, spread over the nodes, once it converged', async () => {
    expect([first.failed, first.output]).toEqual([false, expect.stringContaining('Deployed v1')])
    expect(first.output).toMatch(/Stack swarmapp converged: .*web: 3\/3 running/)
    expect(first.output).toContain('swarmapp_migrate: job completed (1/1)')
    const tasks = await runningWebTasks()
    expect(tasks.map(t => t.state)).toEqual(['Running', 'Running', 'Running'])
    const nodeIds = await onManager([
      'docker',
      'inspect',
      '--type',
      'task',
      '--format',
      '{{.NodeID}}',
      ...tasks.map(t => t.id)
    ])
    expect(new Set(nodeIds.split('\n').filter(Boolean)).size).toBe(3)
    expect(
      (await onManager(['docker', 'service', 'ls', '--format', '{{.Name}} {{.Replicas}}'])).split(
        '\n'
      )
    ).toEqual(expect.arrayContaining([`${STACK}_web 3/3`, `${STACK}_worker 1/1`]))
    expect(await statusOf(v1)).toBe('succeeded')
  })

  it('keeps the resolved stack file in the release directory: env values filled in, owner-only, the default update policy where none was set', async () => {
    const file = `${APP}/releases/${v1}/deploy-kit-stack.json`
    expect((await onManager(['stat', '-c', '%a', file])).trim()).toBe('600')
    const stack = JSON.parse(await onManager(['cat', file])) as {
      services: Record<
        string,
        { environment: Record<string, string>; deploy: Record<string, unknown> }
      >
    }
    expect(stack.services.web.environment.APP_VERSION).toBe('v1')
    expect(stack.services.web.deploy.update_config).toMatchObject({
      order: 'start-first',
      failure_action: 'rollback',
      monitor: '10s'
    })
    expect(stack.services.worker.deploy.update_config).toEqual({
      order: 'stop-first',
      parallelism: 2
    })
    expect(first.output).toContain('No update_config in web: applied')
    const order = await onManager([
      'docker',
      'service',
      'inspect',
      '--format',
      '{{.Spec.UpdateConfig.Order}} {{.Spec.UpdateConfig.FailureAction}}',
      `${STACK}_web`,
      `${STACK}_worker`
    ])
    expect(order.split('\n').filter(Boolean)).toEqual(['start-first rollback', 'stop-first pause'])
  })

  it('fails an update whose healthcheck never passes, which the engine rolled back: the task error named, the release failed, web on its previous spec', async () => {
    const r = await deploy('v2', { healthy: false })
    const v2 = r.outputs['release-id']
    expect(r.failed).toBe(true)
    expect(r.output).toContain(
      'swarmapp_web: the engine rolled its update back to the previous spec'
    )
    // The error annotation carries its lines escaped (%0A).
    expect(r.output).toMatch(/swarmapp_web tasks that failed:(%0A|\n)[^\n]*unhealthy/)
    // Then the whole stack goes back to v1's kept stack file: the worker, which the engine
    // updated to v2, too.
    expect(r.output).toContain(`goes back to release ${v1}`)
    expect(r.output).toContain(`Stack file of release ${v1}, as it was deployed`)
    expect(r.output).toMatch(
      new RegExp(`Hosts now: [^\\n]*: back on release ${v1} \\(v1\\), as before this run`)
    )
    const worker = JSON.parse(
      await onManager(['docker', 'service', 'inspect', `${STACK}_worker`])
    )[0] as { Spec: { TaskTemplate: { ContainerSpec: { Env?: string[] } } } }
    expect(worker.Spec.TaskTemplate.ContainerSpec.Env).toContain('APP_VERSION=v1')
    expect(await statusOf(v2)).toBe('failed')
    const web = await webSpec()
    expect(web.Spec.TaskTemplate.ContainerSpec.Env).toContain('APP_VERSION=v1')
    expect((await runningWebTasks()).map(t => t.state)).toEqual(['Running', 'Running', 'Running'])
    // Each release keeps its own stack file.
    const kept = JSON.parse(
      await onManager(['cat', `${APP}/releases/${v2}/deploy-kit-stack.json`])
    ) as { services: Record<string, { environment: Record<string, string> }> }
    expect(kept.services.web.environment.APP_VERSION).toBe('v2')
    expect(await onManager(['cat', `${APP}/releases/${v1}/deploy-kit-stack.json`])).toContain(
      '"v1"'
    )
  })

  it('updates the stack to a new release: every service on its new spec, the job run again', async () => {
    const r = await deploy('v3')
    expect([r.failed, r.output]).toEqual([false, expect.stringContaining('Deployed v3')])
    expect(r.output).toContain('swarmapp_migrate: job completed (1/1)')
    expect((await webSpec()).Spec.TaskTemplate.ContainerSpec.Env).toContain('APP_VERSION=v3')
    expect((await runningWebTasks()).map(t => t.state)).toEqual(['Running', 'Running', 'Running'])
    expect(await statusOf(r.outputs['release-id'])).toBe('succeeded')
  })

  it('fails a deploy whose one-shot job exits non-zero, with its log lines, and takes the stack back', async () => {
    const v3 = (await releaseLog()).filter(x => x.status === 'succeeded').pop()!.id
    const r = await deploy('v4', { jobExit: 3 })
    expect(r.failed).toBe(true)
    expect(r.output).toContain('swarmapp_migrate: job task failed with exit code 3')
    expect(r.output).toContain('migrated v4')
    expect(await statusOf(r.outputs['release-id'])).toBe('failed')
    expect(r.output).toMatch(new RegExp(`Hosts now: [^\\n]*: back on release ${v3} \\(v3\\)`))
    expect((await webSpec()).Spec.TaskTemplate.ContainerSpec.Env).toContain('APP_VERSION=v3')
  })

  it('fails an update that a lost worker node holds up past the deadline, and takes the stack back', async () => {
    // The engine keeps the update waiting for the task of the lost node: deploy-kit's deadline
    // ends the wait, names what did not converge, and the stack goes back to the last release.
    const lost = fleet.hosts[2]
    try {
      const deploying = deploy('v5', { waitTimeout: 45 })
      await new Promise(resolve => setTimeout(resolve, 2000))
      setLink(lost, 'down')
      const r = await deploying
      expect(r.failed).toBe(true)
      expect(r.output).toMatch(/stack swarmapp: it did not converge within 45s: swarmapp_\w+: /)
      // The job's failed tasks of the deploy before are not this deploy's.
      expect(r.output).not.toContain('non-zero exit (3)')
      expect(await statusOf(r.outputs['release-id'])).toBe('failed')
      expect(r.output).toMatch(/Hosts now: [^\n]*: back on release \S+ \(v3\)/)
      expect((await webSpec()).Spec.TaskTemplate.ContainerSpec.Env).toContain('APP_VERSION=v3')
      expect((await nodeStates()).sort()).toEqual(['Down', 'Ready', 'Ready'])
    } finally {
      setLink(lost, 'up')
    }
  })
})

describe('the root action with target: swarm', () => {
  // A stack of its own beside the first: one web task on the manager, its port published in
  // host mode (the routing mesh cannot work here), so the smoke check reaches it from the runner.
  const SHOP = 'swarmshop'
  const SHOP_DIR = '/srv/shop'
  const PORT = 18080
  let root: InProcessAction

  function shopTree(version: string, { serving = true } = {}): string {
    const dir = join(work, `shop-${version}`)
    mkdirSync(dir, { recursive: true })
    // A release that does not serve /version answers 404 there: healthy, but the smoke check fails.
    const file = serving ? 'version' : 'other'
    writeFileSync(
      join(dir, 'compose.yml'),
      [
        'services:',
        '  web:',
        `    image: ${BUSYBOX_IMAGE}`,
        `    command: ["sh", "-c", "mkdir -p /www; echo $$APP_VERSION > /www/${file}; exec httpd -f -p 8000 -h /www"]`,
        '    environment:',
        '      APP_VERSION: ${APP_VERSION}',
        // httpd as pid 1 ignores SIGTERM: without this each stop waits the 10s default.
        '    stop_grace_period: 1s',
        '    ports:',
        `      - { target: 8000, published: ${PORT}, mode: host }`,
        '    deploy:',
        '      placement:',
        '        constraints: [node.role == manager]',
        ''
      ].join('\n')
    )
    return dir
  }

  // From the manager (smoke-from: server) the check reaches the port on the manager's own
  // 127.0.0.1, where the runner has nothing listening.
  const rootDeploy = (
    version: string,
    opts: { serving?: boolean; smokeFrom?: 'runner' | 'server' } = {}
  ) =>
    root.runAction({
      host: fleet.hostInput(1),
      key: fleet.key.privateKey,
      'known-hosts': fleet.knownHosts(),
      target: 'swarm',
      'app-dir': SHOP_DIR,
      'project-name': SHOP,
      'env-file': '.env',
      vars: `APP_VERSION=${version}`,
      source: 'upload',
      'upload-path': shopTree(version, opts),
      ref: version,
      'wait-timeout': '120',
      'min-free-mb': '10',
      ...(opts.smokeFrom === 'server'
        ? { 'smoke-urls': `http://127.0.0.1:${PORT}/version`, 'smoke-from': 'server' }
        : { 'smoke-urls': `http://${manager.address}:${PORT}/version` }),
      'smoke-expect-status': '200',
      'smoke-wait-timeout': '5',
      // The port is the node's: the old task must stop before the new one can take it.
      'swarm-update-order': 'stop-first',
      'swarm-update-monitor': '1s'
    })

  const shopEnv = async () =>
    (
      JSON.parse(await onManager(['docker', 'service', 'inspect', `${SHOP}_web`]))[0] as {
        Spec: { TaskTemplate: { ContainerSpec: { Env?: string[] } } }
      }
    ).Spec.TaskTemplate.ContainerSpec.Env

  const shopLog = async () =>
    (await onManager(['cat', `${SHOP_DIR}/.deploy-kit/releases.jsonl`]))
      .split('\n')
      .filter(Boolean)
      .map(line => JSON.parse(line) as { id: string; status: string })

  beforeAll(() => {
    root = new InProcessAction(
      throughEntry(read => ({
        readSettings: () => readRootSettings(read),
        run: runRoot,
        setOutputs
      }))
    )
  })

  afterAll(() => root?.remove())

  it('deploys the stack, smoke-checks it from the manager and records the release succeeded', async () => {
    const r = await rootDeploy('s1', { smokeFrom: 'server' })
    expect([r.failed, r.output]).toEqual([
      false,
      expect.stringContaining('Stack swarmshop converged')
    ])
    expect(r.output).toContain('✔ smoke-check')
    expect(r.output).toContain(
      'No update_config in web: applied parallelism 1, order stop-first, failure_action rollback, monitor 1s, max_failure_ratio 0'
    )
    expect(await shopEnv()).toContain('APP_VERSION=s1')
    const body = await (await fetch(`http://${manager.address}:${PORT}/version`)).text()
    expect(body.trim()).toBe('s1')
    expect((await shopLog()).pop()).toMatchObject({
      id: r.outputs['release-id'],
      status: 'succeeded'
    })
  })

  it('rolls the stack back to the last release by itself when the smoke check fails', async () => {
    const s1 = (await shopLog()).filter(x => x.status === 'succeeded').pop()!.id
    const r = await rootDeploy('s2', { serving: false })
    expect(r.failed).toBe(true)
    expect(r.output).toContain('Stack swarmshop converged')
    expect(r.output).toContain('✘ smoke-check')
    expect(r.output).toContain(`Stack file of release ${s1}, as it was deployed`)
    expect(r.outputs['rolled-back']).toBe('true')
    expect(await shopEnv()).toContain('APP_VERSION=s1')
    const body = await (await fetch(`http://${manager.address}:${PORT}/version`)).text()
    expect(body.trim()).toBe('s1')
    const statuses = Object.fromEntries((await shopLog()).map(x => [x.id, x.status]))
    expect(statuses[r.outputs['release-id']]).toBe('failed')
  })
})

describe('the root action with target: swarm and a migration', () => {
  // Real Alembic in the Debian image, against a real PostgreSQL in the manager's engine. The
  // stack's api runs on the manager (it binds the release directory, which only the manager
  // has); the migration runs in a one-off container of its image on the stack's network.
  const DBAPP = 'swarmdb'
  const DBAPP_DIR = '/srv/dbapp'
  let root: InProcessAction
  let db: string
  let url: string

  const STOCK = alembicRevisionFile(
    '0003',
    '0002',
    'add items.stock',
    "op.add_column('items', sa.Column('stock', sa.Integer(), nullable=False, server_default='0'))",
    "op.drop_column('items', 'stock')"
  )
  const BROKEN = alembicRevisionFile(
    '0003',
    '0002',
    'a migration that fails',
    "op.execute('select 1/0')",
    'pass'
  )

  function dbTree(version: string, revisions: Record<string, string> = {}): string {
    const dir = join(work, `db-${version}`)
    cpSync(ALEMBIC_SOURCES, dir, { recursive: true })
    for (const [file, text] of Object.entries(revisions))
      writeFileSync(join(dir, 'migrations', 'versions', file), text)
    writeFileSync(
      join(dir, 'compose.yml'),
      [
        'services:',
        '  api:',
        `    image: ${DEBIAN_IMAGE}`,
        '    working_dir: /app',
        `    command: ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"]`,
        '    environment:',
        '      PYTHONDONTWRITEBYTECODE: "1"',
        '      APP_VERSION: ${APP_VERSION}',
        '      DATABASE_URL: ${DATABASE_URL}',
        '    volumes: ["./:/app"]',
        '    stop_grace_period: 1s',
        '    deploy:',
        '      placement:',
        '        constraints: [node.role == manager]',
        ''
      ].join('\n')
    )
    return dir
  }

  const dbDeploy = (
    version: string,
    opts: { revisions?: Record<string, string>; smoke?: string } = {}
  ) =>
    root.runAction({
      host: fleet.hostInput(1),
      key: fleet.key.privateKey,
      'known-hosts': fleet.knownHosts(),
      target: 'swarm',
      'app-dir': DBAPP_DIR,
      'project-name': DBAPP,
      'env-file': '.env',
      vars: `APP_VERSION=${version}`,
      env: `DATABASE_URL=${url}`,
      source: 'upload',
      'upload-path': dbTree(version, opts.revisions),
      ref: version,
      'wait-timeout': '120',
      'min-free-mb': '10',
      'migrate-tool': 'alembic',
      'migrate-service': 'api',
      'migrate-down-target': '-1',
      backup: 'pg_dump',
      'backup-database-url': url,
      'swarm-update-monitor': '1s',
      ...(opts.smoke
        ? { 'smoke-urls': opts.smoke, 'smoke-expect-status': '200', 'smoke-wait-timeout': '2' }
        : {})
    })

  async function psql(sql: string): Promise<string> {
    const r = await manager.engine.docker(['exec', db, 'psql', '-X', '-q', '-At', '-c', sql])
    if (r.code !== 0) throw new Error(`psql: ${r.stderr}`)
    return r.stdout.trim()
  }

  const revision = () => psql('select version_num from alembic_version')
  const columns = () =>
    psql(
      "select string_agg(column_name, ',' order by column_name) from information_schema.columns where table_name = 'items'"
    )

  /** What a one-off run leaves behind on the manager: containers, and env files in .deploy-kit. */
  async function leftovers(): Promise<string[]> {
    const containers = await manager.engine.docker([
      'ps',
      '--all',
      '--quiet',
      '--filter',
      'label=deploy-kit.one-off=true'
    ])
    const files = await manager.exec([
      'sh',
      '-c',
      `ls ${DBAPP_DIR}/.deploy-kit | grep '\\.env$' || true`
    ])
    return [...containers.stdout.split('\n'), ...files.stdout.split('\n')].filter(Boolean)
  }

  const apiEnv = async () =>
    (
      JSON.parse(await onManager(['docker', 'service', 'inspect', `${DBAPP}_api`]))[0] as {
        Spec: { TaskTemplate: { ContainerSpec: { Env?: string[] } } }
      }
    ).Spec.TaskTemplate.ContainerSpec.Env

  beforeAll(async () => {
    await loadImages(manager.engine, [DEBIAN_IMAGE])
    // A one-off container reaches the published port from the stack's network, through the
    // node's docker_gwbridge: the database trusts every address of this throwaway testbed.
    db = await startFleetDatabase(manager, ['0.0.0.0/0'])
    url = `postgresql://postgres:a-long-database-password@${manager.address}:${FLEET_DB_PORT}/postgres`
    root = new InProcessAction(
      throughEntry(read => ({
        readSettings: () => readRootSettings(read),
        run: runRoot,
        setOutputs
      }))
    )
  }, 5 * 60_000)

  afterAll(() => root?.remove())

  it('migrates once the stack converged, in a one-off container of the new image, after a dump', async () => {
    const r = await dbDeploy('m1')
    expect([r.failed, r.output]).toEqual([
      false,
      expect.stringContaining('Stack swarmdb converged')
    ])
    expect(r.output).toContain(
      `The migration runs in one-off containers of api's image ${DEBIAN_IMAGE} on network ${DBAPP}_default, on the manager`
    )
    expect(r.output).toContain('✔ migrate')
    expect(await revision()).toBe('0002')
    expect(await columns()).toBe('id,name,price')
    expect(r.outputs['backup-file']).toMatch(new RegExp(`^${DBAPP_DIR}/backups/.+\\.sql\\.gz$`))
    expect((await manager.exec(['test', '-s', r.outputs['backup-file']])).code).toBe(0)
    expect(await leftovers()).toEqual([])
    // The password is a secret: the log has it only in the line that asks the runner to mask it.
    const logged = r.output.split('\n').filter(line => !line.startsWith('::add-mask::'))
    expect(logged.filter(line => line.includes('a-long-database-password'))).toEqual([])
  })

  it('fails on a migration that fails, names its error, and takes the stack back with the database as it was', async () => {
    const r = await dbDeploy('m2', { revisions: { '0003_broken.py': BROKEN } })
    expect(r.failed).toBe(true)
    expect(r.output).toContain('✘ migrate')
    expect(r.output).toMatch(/migration failed \(alembic, exit 1\): .*division by zero/)
    expect(r.output).toContain('it is at revision 0002')
    expect(r.outputs['rolled-back']).toBe('true')
    expect(await apiEnv()).toContain('APP_VERSION=m1')
    expect(await revision()).toBe('0002')
    expect(await leftovers()).toEqual([])
  })

  it('migrates down in the new image before the stack goes back, when the smoke check fails', async () => {
    const r = await dbDeploy('m3', {
      revisions: { '0003_stock.py': STOCK },
      smoke: `http://${manager.address}:18999/health`
    })
    expect(r.failed).toBe(true)
    expect(r.output).toContain('✔ migrate')
    expect(r.output).toContain('✘ smoke-check')
    expect(r.output).toContain('✔ rollback: migrate down')
    expect(r.outputs['rolled-back']).toBe('true')
    expect(await revision()).toBe('0002')
    expect(await columns()).toBe('id,name,price')
    expect(await apiEnv()).toContain('APP_VERSION=m1')
    expect(await leftovers()).toEqual([])
  })
})

describe('ssh-deploy with target: swarm and images from a password registry', () => {
  // The testbed registry (Debian's docker-registry with an htpasswd file) listens on the fleet's
  // gateway, which every node reaches and its engine allows plain HTTP for. No node was ever
  // logged in to it: the workers pull the image with the deploy's login, which
  // `--with-registry-auth` hands them through the manager.
  const REG_DIR = '/srv/regapp'
  let registry: Registry
  let pushConfig: string
  let pinned: string

  const pusher = (args: string[], input?: string) =>
    runChecked(
      'docker',
      ['--config', pushConfig, '-H', `unix://${manager.engine.socket}`, ...args],
      {
        input,
        timeoutMs: 120_000
      }
    )

  beforeAll(async () => {
    registry = await startRegistry({ listen: fleet.gatewayAddress })
    // The push goes from the manager's engine, with a login kept apart from every node's.
    pushConfig = mkdtempSync(join(tmpdir(), 'swarm-registry-push-'))
    await pusher(
      ['login', '--username', registry.username, '--password-stdin', registry.address],
      registry.password
    )
    const name = `${registry.address}/swarm/busybox:1`
    await pusher(['tag', BUSYBOX_IMAGE, name])
    await pusher(['push', '--quiet', name])
    pinned = `${registry.address}/swarm/busybox@${await registry.manifestDigest(`${registry.address}/swarm/busybox`, '1')}`
  }, 5 * 60_000)

  afterAll(async () => {
    await registry?.stop()
    if (pushConfig) rmSync(pushConfig, { recursive: true, force: true })
  })

  it('runs the image by its digest on the workers, pulled with the login of the deploy', async () => {
    // The hosts' engines keep their data between runs: a worker must not have it from an earlier one.
    for (const worker of fleet.hosts.slice(1))
      await worker.engine.docker(['image', 'rm', '--force', pinned])
    // Without a login the registry refuses the pull.
    const anonymous = await fleet.hosts[1].engine.docker(['pull', pinned])
    expect([anonymous.code, anonymous.stderr]).toEqual([
      1,
      expect.stringMatching(/no basic auth credentials|unauthorized/)
    ])
    const dir = join(work, 'reg-v1')
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      join(dir, 'compose.yml'),
      [
        'services:',
        '  pulled:',
        '    image: ${PULLED_IMAGE}',
        '    command: ["sleep", "3600"]',
        '    stop_grace_period: 1s',
        '    deploy:',
        '      replicas: 2',
        '      placement:',
        '        constraints: [node.role == worker]',
        ''
      ].join('\n')
    )
    const r = await action.runAction({
      host: fleet.hostInput(1),
      key: fleet.key.privateKey,
      'known-hosts': fleet.knownHosts(),
      target: 'swarm',
      'app-dir': REG_DIR,
      'project-name': 'swarmreg',
      'env-file': '.env',
      images: `pulled=${pinned}`,
      registry: registry.address,
      'registry-username': registry.username,
      'registry-password': registry.password,
      source: 'upload',
      'upload-path': dir,
      ref: 'r1',
      'wait-timeout': '120',
      'min-free-mb': '10'
    })
    expect([r.failed, r.output]).toEqual([
      false,
      expect.stringContaining('Stack swarmreg converged')
    ])
    const tasks = await runningTasks('swarmreg_pulled', '{{.Node}} {{.CurrentState}} {{.Image}}')
    expect(tasks).toHaveLength(2)
    for (const task of tasks) expect(task).toMatch(new RegExp(`Running .*${pinned.split('@')[1]}`))
    // Each worker pulled it from the registry: the image is there now, by its digest.
    for (const worker of fleet.hosts.slice(1)) {
      const local = await worker.engine.docker([
        'image',
        'inspect',
        '--format',
        '{{.RepoDigests}}',
        pinned
      ])
      expect([local.code, local.stdout]).toEqual([0, expect.stringContaining(pinned)])
    }
    // The password went to the manager on stdin: neither the log nor the release's stack file has it.
    const logged = r.output.split('\n').filter(line => !line.startsWith('::add-mask::'))
    expect(logged.filter(line => line.includes(registry.password))).toEqual([])
    expect(await onManager(['cat', `${REG_DIR}/current/deploy-kit-stack.json`])).not.toContain(
      registry.password
    )
  })
})
