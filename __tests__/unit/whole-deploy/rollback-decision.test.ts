import { describe, expect, it } from '@jest/globals'
import type { HostRow } from '../../../src/ssh-deploy/main.js'
import {
  collectstaticAgainNote,
  decideRollback,
  decisionText,
  migratedDownNote,
  migrateDownFailedMessage,
  RollbackDecision,
  hostsAfterRollback,
  rolledBackMessage,
  StageOutcomes,
  wayBackOf,
  wayBackText
} from '../../../src/whole-deploy/rollback-decision.js'

const OLD = 'a'.repeat(40)
const NEW = 'b'.repeat(40)

function row(extra: Partial<HostRow> = {}): HostRow {
  return {
    host: 'web1',
    status: 'succeeded',
    release: 'r2',
    ref: NEW,
    previousRef: OLD,
    changed: true,
    seconds: 1,
    ...extra
  }
}

const deployedOk = { ok: true, message: 'Deployed', releaseId: 'r2', rows: [row()] }
const deployFailed = (rows: HostRow[]) => ({
  ok: false,
  message: 'Deploy failed on web1',
  releaseId: 'r2',
  rows
})

function outcomes(extra: Partial<StageOutcomes>): StageOutcomes {
  return {
    deployed: deployedOk,
    migrated: false,
    backupFile: '',
    autoRollback: true,
    canMigrateDown: false,
    ...extra
  }
}

describe('decideRollback', () => {
  const rows: Array<[string, Partial<StageOutcomes>, RollbackDecision]> = [
    [
      'every stage passed: the release stays',
      {},
      {
        kind: 'deployed',
        deployedRef: NEW,
        status: 'release r2',
        message: `Deployed release r2 (${NEW})`
      }
    ],
    [
      'every stage passed on no host: no deployed ref',
      { deployed: { ...deployedOk, rows: [] } },
      { kind: 'deployed', deployedRef: '', status: 'release r2', message: 'Deployed release r2 ()' }
    ],
    [
      'the deploy failed before changing a host: nothing to undo',
      {
        deployed: deployFailed([row({ status: 'failed', changed: false })]),
        failure: 'Deploy failed on web1'
      },
      {
        kind: 'stay',
        status: 'deploy failed; nothing was changed',
        message: 'Deploy failed on web1'
      }
    ],
    [
      'another deploy took the lock: its release is not undone',
      {
        deployed: deployFailed([
          row({ status: 'failed', lockLost: true }),
          row({ host: 'web2', status: 'failed', lockLost: true }),
          row({ host: 'web3' })
        ]),
        failure: 'Deploy failed on web1, web2'
      },
      {
        kind: 'stay',
        status: 'another deploy took over the deploy lock',
        message:
          'Deploy failed on web1, web2. Not rolled back: another deploy took over the deploy lock on web1, web2 and deploys there now'
      }
    ],
    [
      'auto-rollback off',
      { failure: 'smoke-check failed', autoRollback: false },
      {
        kind: 'stay',
        status: 'smoke-check failed',
        message:
          'smoke-check failed. Not rolled back: auto-rollback is off; the servers may be half-deployed'
      }
    ],
    [
      'no previous release (a first deploy)',
      {
        failure: 'smoke-check failed',
        deployed: { ...deployedOk, rows: [row({ previousRef: '' })] }
      },
      {
        kind: 'stay',
        status: 'smoke-check failed',
        message:
          'smoke-check failed. Not rolled back: there is no previous release to roll back to; the servers may be half-deployed'
      }
    ],
    [
      'the previous ref from the first host that recorded one',
      {
        failure: 'smoke-check failed',
        deployed: { ...deployedOk, rows: [row({ previousRef: '' }), row({ host: 'web2' })] }
      },
      { kind: 'roll-back', failure: 'smoke-check failed', previousRef: OLD, migrateDown: false }
    ],
    [
      'a host changed, then failed: back to the previous release',
      { deployed: deployFailed([row({ status: 'failed' })]), failure: 'Deploy failed on web1' },
      { kind: 'roll-back', failure: 'Deploy failed on web1', previousRef: OLD, migrateDown: false }
    ],
    [
      'migrated, with a way down: migrate down first',
      { failure: 'smoke-check failed', migrated: true, canMigrateDown: true },
      { kind: 'roll-back', failure: 'smoke-check failed', previousRef: OLD, migrateDown: true }
    ],
    [
      'not migrated, with a way down: nothing to migrate down',
      { failure: 'migration failed', migrated: false, canMigrateDown: true },
      { kind: 'roll-back', failure: 'migration failed', previousRef: OLD, migrateDown: false }
    ],
    [
      'migrated, no way down: the database keeps the migrations, the backup named',
      {
        failure: 'smoke-check failed',
        migrated: true,
        backupFile: '/srv/app/backups/db.sql.gz'
      },
      {
        kind: 'roll-back',
        failure: 'smoke-check failed',
        previousRef: OLD,
        migrateDown: false,
        databaseNote:
          'the database keeps the new migrations (set migrate-down-target to undo them); the backup from before them is /srv/app/backups/db.sql.gz'
      }
    ],
    [
      'cancelled during the smoke check: nothing rolled back, the way back named',
      { failure: 'the run was cancelled (SIGINT) before smoke-check', cancelled: 'SIGINT' },
      {
        kind: 'stay',
        status: 'cancelled (SIGINT)',
        message:
          'the run was cancelled (SIGINT) before smoke-check. Not rolled back: the run was cancelled (SIGINT); to go back, run the rollback workflow or ssh-deploy with rollback-to: previous'
      }
    ],
    [
      'cancelled before any host changed: nothing to go back from',
      {
        deployed: deployFailed([row({ status: 'failed', changed: false })]),
        failure: 'Deploy failed on web1',
        cancelled: 'SIGTERM'
      },
      {
        kind: 'stay',
        status: 'cancelled (SIGTERM)',
        message: 'Deploy failed on web1. Not rolled back: the run was cancelled (SIGTERM)'
      }
    ],
    [
      'migrated, no way down, no backup',
      { failure: 'smoke-check failed', migrated: true },
      {
        kind: 'roll-back',
        failure: 'smoke-check failed',
        previousRef: OLD,
        migrateDown: false,
        databaseNote: 'the database keeps the new migrations (set migrate-down-target to undo them)'
      }
    ]
  ]
  it.each(rows)('%s', (_, given, decision) => {
    const got = decideRollback(outcomes(given))
    expect(JSON.parse(JSON.stringify(got))).toEqual(decision)
  })

  it("leaves the deploy's 'Hosts now' out of a rollback's failure: the rollback says where each host ends", () => {
    const failed = row({ status: 'failed' })
    const deployed = {
      ...deployFailed([failed]),
      message: 'Deploy failed on web1. Hosts now: web1: changed, failed',
      failedOn: 'Deploy failed on web1'
    }
    const got = decideRollback(outcomes({ deployed, failure: deployed.message }))
    expect(got).toMatchObject({ kind: 'roll-back', failure: 'Deploy failed on web1' })
    // Without a rollback, the hosts' states are the last word and stay in the message.
    const kept = decideRollback(
      outcomes({ deployed, failure: deployed.message, autoRollback: false })
    )
    expect(kept).toMatchObject({ kind: 'stay' })
    expect(JSON.stringify(kept)).toContain('Hosts now: web1: changed, failed')
  })
})

describe('the message parts of a rollback', () => {
  it.each([
    [{ ok: true, message: '', toRevision: 'base' }, '-1', 'database migrated down to base'],
    [{ ok: true, message: '' }, '-1', 'database migrated down to -1'],
    [{ ok: false, message: 'exit 1' }, '-1', 'migrating down FAILED: exit 1']
  ])('migrate down %j to %s: %s', (down, target, note) => {
    expect(migratedDownNote(down, target)).toBe(note)
  })

  it('says the code stayed, and where the database and its backups are, when migrating down failed', () => {
    expect(
      migrateDownFailedMessage('smoke-check failed', 'migration failed: x, at revision 0003', {
        host: 'deploy@web1',
        beforeDeploy: '/srv/app/backups/deploykit-postgres-20260101T000000Z.sql.gz',
        dir: '/srv/app/backups'
      })
    ).toBe(
      "smoke-check failed. NOT ROLLED BACK: migrating the database down on deploy@web1 failed, so every host keeps the new release's code (the old code on a half-migrated database would be worse): migration failed: x, at revision 0003; the backup from before the deploy is /srv/app/backups/deploykit-postgres-20260101T000000Z.sql.gz; backups are in /srv/app/backups on deploy@web1"
    )
  })

  it.each([
    [{ ok: true, message: 'collectstatic: 3 file(s) copied' }, []],
    [
      { ok: false, message: 'STATIC_ROOT' },
      ['collectstatic after the rollback FAILED: STATIC_ROOT']
    ]
  ])('collectstatic again %j', (again, notes) => {
    expect(collectstaticAgainNote(again)).toEqual(notes)
  })

  const decision = { failure: 'smoke-check failed', previousRef: OLD }
  it.each([
    [
      { ok: true, message: '', releaseId: 'r3' },
      [],
      `smoke-check failed. Rolled back to ${OLD} (release r3)`
    ],
    [
      { ok: true, message: '', releaseId: 'r3' },
      ['database migrated down to base', 'collectstatic after the rollback FAILED: x'],
      `smoke-check failed. Rolled back to ${OLD} (release r3); database migrated down to base; collectstatic after the rollback FAILED: x`
    ],
    [
      { ok: false, message: 'Rollback failed on web1', releaseId: 'r3' },
      ['migrating down FAILED: exit 1'],
      'smoke-check failed. ROLLBACK FAILED: Rollback failed on web1; migrating down FAILED: exit 1'
    ]
  ])('back %j with notes %j', (back, notes, message) => {
    expect(rolledBackMessage(decision, back, notes)).toBe(message)
  })
})

describe('the way back of each host', () => {
  const rows = [
    row({ host: 'web1', previousRelease: 'r1' }),
    // Failed before its release was recorded as started: it still runs r1.
    row({ host: 'web2', status: 'failed', changed: false, previousRelease: 'r1' }),
    row({
      host: 'web3',
      status: 'failed',
      changed: true,
      previousRelease: 'r0',
      previousRef: 'c'.repeat(40)
    }),
    row({ host: 'web4', previousRelease: '', previousRef: '' }),
    row({ host: 'web5', status: 'failed', changed: true, lockLost: true, previousRelease: 'r1' })
  ]

  it('sends back only the hosts this run changed, each to the release it ran before', () => {
    expect([...wayBackOf(rows)]).toEqual([
      ['web1', 'r1'],
      ['web3', 'r0']
    ])
  })

  it('says per host what it runs after the rollback', () => {
    const back = [row({ host: 'web1', ref: OLD }), row({ host: 'web3', status: 'failed' })]
    expect(hostsAfterRollback(rows, back)).toEqual([
      `web1: back on release r1 (${OLD.slice(0, 12)})`,
      `web2: unchanged, still on release r1 (${OLD.slice(0, 12)})`,
      'web3: going back to release r0 FAILED',
      `web4: had no release before this run; stays on release r2 (${NEW.slice(0, 12)})`,
      'web5: taken over by another deploy'
    ])
  })

  it('names each host in the final message', () => {
    expect(
      rolledBackMessage(
        { failure: 'smoke-check failed', previousRef: OLD },
        {
          ok: true,
          message: '',
          releaseId: 'r3',
          hosts: ['web1: back on release r1 (aaa)', 'web2: unchanged']
        },
        []
      )
    ).toBe(
      'smoke-check failed. Rolled back, each host to the release it ran before: web1: back on release r1 (aaa); web2: unchanged'
    )
  })
})

describe('decisionText', () => {
  it('says why the run rolls back or does not', () => {
    expect(decisionText(decideRollback(outcomes({})))).toBe(
      'no rollback: every stage succeeded (release r2)'
    )
    expect(
      decisionText(decideRollback(outcomes({ failure: 'smoke-check failed', autoRollback: false })))
    ).toBe('no rollback: smoke-check failed')
    expect(decisionText(decideRollback(outcomes({ failure: 'smoke-check failed' })))).toBe(
      `rollback to ${OLD} because smoke-check failed; the database was not changed`
    )
    expect(
      decisionText(
        decideRollback(
          outcomes({ failure: 'smoke-check failed', migrated: true, canMigrateDown: true })
        )
      )
    ).toBe(`rollback to ${OLD} because smoke-check failed; the database is migrated down first`)
  })
})

describe('wayBackText', () => {
  it('says per host where the rollback takes it and why', () => {
    expect(
      wayBackText([
        row({ previousRelease: 'r1' }),
        row({ host: 'web2', changed: false }),
        row({ host: 'web3', lockLost: true, previousRelease: 'r1' }),
        row({ host: 'web4', previousRelease: '', previousRef: '' })
      ])
    ).toEqual([
      `web1: goes back to release r1 (${OLD}), the one it ran before this run`,
      'web2: stays as it is: this run did not change it',
      'web3: stays as it is: another deploy took over its lock',
      "web4: stays on this run's release: it had no release before this run"
    ])
  })
})
