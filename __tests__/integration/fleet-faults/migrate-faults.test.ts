// Faults around the shared database's migration, on three real hosts (see
// shop-fleet.ts): a migration that raises, sshd killed while the migration
// runs, the job cancelled (SIGINT, as GitHub's runner sends it first) while
// the migration runs, and a down-migration that fails during the automatic
// rollback. After each: what every host runs (its engine's containers, its
// release file and release log on its own disk), the database's revision, the
// lock on every host, and the message.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { waitFor } from '../../../testbed/run.js'
import {
  cancelRun,
  dbRevision,
  deploy,
  killSshSessions,
  onRelease,
  processesOf,
  release,
  revision,
  ShopFleet,
  startShopFleet,
  states
} from './shop-fleet.js'

let shop: ShopFleet

/** Waits until the migrate host runs Alembic's upgrade, then does `then`. */
async function whileMigrating(then: () => void): Promise<void> {
  await waitFor(
    async () =>
      processesOf(shop.hosts[0], c => c.includes('alembic') && c.includes('upgrade')).length > 0,
    120_000,
    'the migration to start on host 0'
  )
  then()
}

beforeAll(async () => {
  shop = await startShopFleet('migrate')
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
/** Every host back on v1 by a rollback: v1's containers, v1's files live, its lock free. */
const backOnV1 = () => [0, 1, 2].map(() => onRelease('v1', 'v1 succeeded (a rollback)'))

it('a migration that raises: every host back on v1, the database where it was', async () => {
  release(shop, 'v2', { '0003.py': revision('0003', '0002', "op.execute('select 1/0')", 'pass') })
  const r = await deploy(shop, 'v2')
  expect(r.failed).toBe(true)
  expect(await states(shop)).toEqual(
    [0, 1, 2].map(() => onRelease('v1', 'v1 succeeded (a rollback)'))
  )
  expect(await dbRevision(shop)).toBe('0002')
  expect(r.outputs['rolled-back']).toBe('true')
  expect(r.output).toMatch(
    new RegExp(
      `::error::migration failed \\(alembic, exit 1\\): .*division by zero\\. The backup taken before it is /srv/shop/backups/\\S+; ` +
        `the database is as the tool left it; it is at revision 0002\\. Rolled back, each host to the release it ran before: ` +
        [0, 1, 2].map(i => `${esc(label(i))}: back on release \\S+ \\(v1\\)`).join('; ')
    )
  )
})

it('sshd killed on the migrate host while the migration runs', async () => {
  const slow = revision(
    '0003',
    '0002',
    "op.execute('select pg_sleep(4)'); op.add_column('items', sa.Column('stock', sa.Integer()))",
    "op.drop_column('items', 'stock')"
  )
  release(shop, 'v3', { '0003.py': slow })
  const running = deploy(shop, 'v3')
  await whileMigrating(() => expect(killSshSessions(shop.hosts[0]).length).toBeGreaterThan(0))
  const r = await running
  expect(r.failed).toBe(true)
  expect(await states(shop)).toEqual(backOnV1())
  // The migration's session died with the connection: its transaction was not committed.
  expect(await dbRevision(shop)).toBe('0002')
  expect(r.output).toMatch(
    new RegExp(
      `::error::${esc(label(0))}: the command was cut off before it finished \\(the connection closed\\); it may have partly run on the server\\. ` +
        `Rolled back, each host to the release it ran before: ` +
        [0, 1, 2].map(i => `${esc(label(i))}: back on release \\S+ \\(v1\\)`).join('; ')
    )
  )
})

it('the job cancelled while the migration runs', async () => {
  const slow = revision(
    '0004',
    '0003',
    "op.execute('select pg_sleep(4)'); op.add_column('items', sa.Column('sku', sa.Text()))",
    "op.drop_column('items', 'sku')"
  )
  release(shop, 'v4', {
    '0003.py': revision(
      '0003',
      '0002',
      "op.add_column('items', sa.Column('stock', sa.Integer()))",
      "op.drop_column('items', 'stock')"
    ),
    '0004.py': slow
  })
  const before = process.listeners('SIGINT')
  const running = deploy(shop, 'v4')
  let restore = () => {}
  try {
    await whileMigrating(() => (restore = cancelRun(before)))
    const r = await running
    expect(r.failed).toBe(true)
    expect(r.outputs['rolled-back']).toBe('false')
    // The migration is not a safe point: it ends, then the run stops before the smoke check.
    expect(r.output).toContain(
      'Cancel requested (SIGINT): stopping before the next change to a server; what was done is recorded and the lock released'
    )
    expect(await dbRevision(shop)).toBe('0004')
    // The smoke check never ran: the release is recorded cancelled, so `previous` never trusts it.
    expect(await states(shop)).toEqual([0, 1, 2].map(() => onRelease('v4', 'v4 cancelled')))
    expect(r.output).toContain(
      '::error::the run was cancelled (SIGINT) before smoke-check. Not rolled back: the run was cancelled (SIGINT); to go back, run the rollback workflow or ssh-deploy with rollback-to: previous'
    )
  } finally {
    restore()
  }
})

it('a down-migration that fails during the automatic rollback', async () => {
  release(shop, 'v5', {
    '0003.py': revision(
      '0003',
      '0002',
      "op.add_column('items', sa.Column('stock', sa.Integer()))",
      "op.drop_column('items', 'stock')"
    ),
    '0004.py': revision(
      '0004',
      '0003',
      "op.add_column('items', sa.Column('sku', sa.Text()))",
      "op.execute('select 1/0')"
    ),
    '0005.py': revision(
      '0005',
      '0004',
      "op.add_column('items', sa.Column('note', sa.Text()))",
      "op.execute('select 1/0')"
    )
  })
  const r = await deploy(shop, 'v5', {
    'smoke-urls': `http://${shop.hosts[0].address}:8080/missing`
  })
  expect(r.failed).toBe(true)
  expect(r.outputs['rolled-back']).toBe('false')
  // The code stays with the database it migrated: the old code on 0005 would be worse.
  expect(await dbRevision(shop)).toBe('0005')
  // It runs, recorded failed: its smoke check failed, so `previous` never takes it.
  expect(await states(shop)).toEqual([0, 1, 2].map(() => onRelease('v5', 'v5 failed')))
  expect(r.output).toMatch(
    new RegExp(
      `::error::smoke-check: 1 of 1 check\\(s\\) failed after \\S+\\. NOT ROLLED BACK: migrating the database down on ${esc(label(0))} failed, ` +
        `so every host keeps the new release's code .*division by zero.*it is at revision 0005; ` +
        `the backup from before the deploy is /srv/shop/backups/\\S+; backups are in /srv/shop/backups on ${esc(label(0))}`
    )
  )
})
