// Faults of one host or of the run itself, on three real hosts (see
// shop-fleet.ts): sshd killed on one host while Compose brings the release
// up, a host whose app-dir is a small tmpfs that fills up during the upload,
// the job cancelled (SIGINT, as GitHub's runner sends it first) while it waits
// for healthy containers, and two deploys started at once on a lock left by a
// killed run. After each: what every host runs (its engine's containers, its
// release file and release log on its own disk), the database's revision, the
// lock on every host, and the message. (A host down among 3 and a deploy user
// outside the docker group are in ssh-deploy/fleet-all-or-nothing.test.ts.)
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { waitFor } from '../../../testbed/run.js'
import {
  APP_DIR,
  cancelRun,
  dbRevision,
  deploy,
  deployProcess,
  hostState,
  killSshSessions,
  onRelease,
  processesOf,
  release,
  ShopFleet,
  startShopFleet,
  states
} from './shop-fleet.js'

let shop: ShopFleet
/** Host 1's app-dir is a tmpfs of this size, mounted inside the host. */
const TMPFS_MB = 3

beforeAll(async () => {
  shop = await startShopFleet('host')
  const h1 = shop.hosts[1]
  for (const argv of [
    ['mkdir', '-p', APP_DIR],
    ['mount', '-t', 'tmpfs', '-o', `size=${TMPFS_MB}m`, 'tmpfs', APP_DIR]
  ]) {
    const r = await h1.exec(argv)
    if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`)
  }
  release(shop, 'v1')
  const r = await deploy(shop, 'v1')
  if (r.failed) throw new Error(r.output)
  expect(await dbRevision(shop)).toBe('0002')
}, 10 * 60_000)

afterAll(async () => {
  await shop?.stop()
})

const label = (i: number) => `root@${shop.hosts[i].server.address}:${shop.hosts[i].server.port}`
const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const backOnV1 = 'v1 succeeded (a rollback)'
const composeUp = (c: string) => c.includes('compose') && / up( |$)/.test(c)

it('sshd killed on the third host while compose up runs there', async () => {
  release(shop, 'v2', {}, { slowStart: true })
  const h2 = shop.hosts[2]
  const running = deploy(shop, 'v2')
  await waitFor(async () => processesOf(h2, composeUp).length > 0, 120_000, 'compose up on host 2')
  expect(killSshSessions(h2).length).toBeGreaterThan(0)
  const r = await running
  expect(r.failed).toBe(true)
  expect(await states(shop)).toEqual([0, 1, 2].map(() => onRelease('v1', backOnV1)))
  expect(await dbRevision(shop)).toBe('0002')
  expect(r.outputs['rolled-back']).toBe('true')
  expect(r.output).toMatch(
    new RegExp(
      `::error::Deploy failed on ${esc(label(2))}\\. Rolled back, each host to the release it ran before: ` +
        [0, 1, 2].map(i => `${esc(label(i))}: back on release \\S+ \\(v1\\)`).join('; ')
    )
  )
  // The hosts' states before the rollback are not repeated: they are no longer true.
  expect(r.output).not.toMatch(/::error::.*Hosts now:/)
})

it('a host whose app-dir fills up during the upload', async () => {
  release(shop, 'v3', {}, { extraFiles: { 'big/blob': 'x'.repeat(TMPFS_MB * 1024 * 1024) } })
  const r = await deploy(shop, 'v3')
  expect(r.failed).toBe(true)
  // Host 1 never switched: its last release is the rollback to v1 of the test before.
  expect(await states(shop)).toEqual([0, 1, 2].map(() => onRelease('v1', backOnV1)))
  expect(await dbRevision(shop)).toBe('0002')
  expect(r.output).toMatch(
    new RegExp(
      `::error::Deploy failed on ${esc(label(1))}\\. Hosts now: .*tar: \\./big/blob: Wrote only|` +
        `${esc(label(1))}: .*tar: \\./big/blob: Wrote only`
    )
  )
  expect(r.output).toMatch(
    new RegExp(
      `Rolled back, each host to the release it ran before: ${esc(label(0))}: back on release \\S+ \\(v1\\); ` +
        `${esc(label(1))}: unchanged, still on release \\S+ \\(v1\\); ${esc(label(2))}: back on release \\S+ \\(v1\\)`
    )
  )
  // The half-unpacked tree and its archive are gone: the disk has room for the next deploy.
  const left = await shop.hosts[1].exec(['sh', '-c', `ls -A ${APP_DIR}/releases`])
  expect(left.stdout.split('\n').filter(name => name.includes('v3'))).toEqual([])
  const free = await shop.hosts[1].exec(['df', '-k', '--output=avail', APP_DIR])
  expect(Number(free.stdout.split('\n')[1])).toBeGreaterThan(1024)
})

it('the job cancelled while it waits for healthy containers', async () => {
  release(shop, 'v4', {}, { healthcheck: 'test -e /www/ready' })
  const before = process.listeners('SIGINT')
  const running = deploy(shop, 'v4')
  let restore = () => {}
  try {
    await waitFor(
      async () =>
        (await Promise.all(shop.hosts.map(hostState))).every(s =>
          s.containers.includes('v4 api running')
        ),
      120_000,
      'v4 to run on every host'
    )
    restore = cancelRun(before)
    const r = await running
    expect(r.failed).toBe(true)
    expect(r.outputs['rolled-back']).toBe('false')
    // Stopped at the wait, a safe point: each host keeps v4, recorded cancelled, and its lock is free.
    expect(await states(shop)).toEqual([0, 1, 2].map(() => onRelease('v4', 'v4 cancelled')))
    expect(await dbRevision(shop)).toBe('0002')
    for (const i of [0, 1, 2])
      expect(r.output).toMatch(
        new RegExp(
          `::error::${esc(label(i))}: the run was cancelled \\(SIGINT\\) before the containers were ready — the server was changed and may be half-deployed: release \\S+-v4-\\S+ is recorded as cancelled`
        )
      )
    expect(r.output).toContain(
      `Hosts now: ${label(0)}: changed, failed; ${label(1)}: changed, failed; ${label(2)}: changed, failed. ` +
        'Not rolled back: the run was cancelled (SIGINT); to go back, run the rollback workflow or ssh-deploy with rollback-to: previous'
    )
  } finally {
    restore()
  }
})

it('two deploys at once on a lock left by a killed run', async () => {
  release(shop, 'v5', {}, { slowStart: true })
  const killed = deployProcess(shop, 'v5', '501')
  await waitFor(
    async () => processesOf(shop.hosts[0], composeUp).length > 0,
    120_000,
    'the run to be killed to reach compose up'
  )
  killed.child.kill('SIGKILL')
  await killed.done
  // Its heartbeat has stopped: the lock is stale once it is older than 90 s, as if that long had passed.
  for (const h of shop.hosts) {
    const r = await h.exec([
      'sh',
      '-c',
      `cd ${APP_DIR}/.deploy-kit/lock && touch -c -d "@$(( $(date +%s) - 200 ))" owner.json .`
    ])
    expect([h.index, r.code, r.stderr]).toEqual([h.index, 0, ''])
  }
  release(shop, 'v6')
  const a = deployProcess(shop, 'v6', '601', { 'lock-timeout': '5' })
  const b = deployProcess(shop, 'v6', '602', { 'lock-timeout': '5' })
  const [ca, cb] = await Promise.all([a.done, b.done])
  const ended = await states(shop)
  expect(await dbRevision(shop)).toBe('0002')
  const both = a.output() + b.output()
  // The stale lock is taken over, by one run or, host by host, by both.
  expect(both).toMatch(
    /::warning::root@\S+: taking over a deploy lock not refreshed for \d+s, left by https:\/\/github\.com\/org\/shop\/actions\/runs\/501 \(attempt 1, release \S+-v5-/
  )
  expect(both).toMatch(
    /the app is locked by another deploy: \S+\/runs\/60[12] .*Waited 5s \(lock-timeout\)/
  )
  if ([ca, cb].includes(0)) {
    // One took every host's lock and deployed v6 everywhere; the other found them held and changed nothing.
    expect([ca, cb].sort()).toEqual([0, 1])
    expect(ended).toEqual([0, 1, 2].map(() => onRelease('v6', 'v6 succeeded')))
    expect((ca === 0 ? b : a).output()).toMatch(
      /::error::Deploy failed on .*Hosts now: .*unchanged, still on release/
    )
  } else {
    // Each took some hosts' locks (or one lost every takeover race): both fail, and a run that
    // changed hosts sends them back to what they ran; one that changed none says so.
    expect([ca, cb]).toEqual([1, 1])
    // The killed run's v5 never succeeded: what they ran before is v1.
    expect(ended).toEqual([0, 1, 2].map(() => onRelease('v1', 'v1 succeeded (a rollback)')))
    const back = (run: typeof a) =>
      run.output().includes('Rolled back, each host to the release it ran before')
    expect([a, b].some(back)).toBe(true)
    for (const run of [a, b].filter(run => !back(run)))
      expect(run.output()).toMatch(
        /::error::Deploy failed on .*Hosts now: .*unchanged, still on release/
      )
  }
})
