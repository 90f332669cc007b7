import { describe, expect, it } from '@jest/globals'
import type { HostResult } from '../../../src/ssh-deploy/fleet-deploy.js'
import { toRow } from '../../../src/ssh-deploy/main.js'
import type { ReleaseRecord } from '../../../src/ssh-deploy/release-log.js'

const OLD = 'a'.repeat(40)
const NEW = 'b'.repeat(40)
const r1: ReleaseRecord = { id: 'r1', ref: OLD, source: 'upload', status: 'succeeded' }
const report = { releaseId: 'r2', ref: NEW, previousRef: OLD, previousRelease: 'r1' }

function result(extra: Partial<HostResult>, live: ReleaseRecord | null = r1): HostResult {
  return {
    host: 'web1',
    preflight: { host: 'web1', ok: true, value: { problems: [], live: live ?? undefined } },
    seconds: 1,
    ...extra
  }
}

describe('what each host row says it runs now', () => {
  it.each<[string, HostResult, Record<string, unknown>]>([
    [
      'deployed',
      result({ deploy: { host: 'web1', ok: true, value: { ...report, changed: true } } }),
      {
        status: 'succeeded',
        state: `on release r2 (${NEW.slice(0, 12)})`,
        runs: { release: 'r2', ref: NEW }
      }
    ],
    [
      'deployed, then back because another host failed',
      result({
        deploy: { host: 'web1', ok: true, value: { ...report, changed: true } },
        back: { to: r1, outcome: { host: 'web1', ok: true } }
      }),
      {
        status: 'rolled-back',
        failedFirst: false,
        state: `back on release r1 (${OLD.slice(0, 12)}), as before this run`,
        runs: { release: 'r1', ref: OLD }
      }
    ],
    [
      'failed, and going back failed too',
      result({
        deploy: { host: 'web1', ok: false, error: 'compose up failed' },
        failure: { ...report, changed: true },
        back: { to: r1, outcome: { host: 'web1', ok: false, error: 'pull failed' } }
      }),
      {
        status: 'failed',
        state: `changed; going back to release r1 (${OLD.slice(0, 12)}) FAILED`,
        error: `compose up failed; going back to release r1 (${OLD.slice(0, 12)}) failed: pull failed`
      }
    ],
    [
      'failed on a host that had no release before',
      result(
        {
          deploy: { host: 'web1', ok: false, error: 'compose up failed' },
          failure: { ...report, previousRef: '', previousRelease: '', changed: true }
        },
        null
      ),
      {
        status: 'failed',
        state: 'changed, failed; it had no release before this run to go back to'
      }
    ],
    [
      'never started: another host failed first',
      result({ deploy: { host: 'web1', ok: false, skipped: true } }),
      {
        status: 'untouched',
        changed: false,
        state: `untouched, still on release r1 (${OLD.slice(0, 12)})`,
        runs: { release: 'r1', ref: OLD }
      }
    ],
    [
      'refused by the check',
      result({
        preflight: {
          host: 'web1',
          ok: true,
          value: { problems: ['no Compose', 'disk full'], live: r1 }
        }
      }),
      { status: 'failed', changed: false, error: 'no Compose; disk full' }
    ],
    [
      'could not be reached',
      result({ preflight: { host: 'web1', ok: false, error: 'web1: cannot connect' } }),
      { status: 'failed', changed: false, error: 'web1: cannot connect', state: 'not checked' }
    ]
  ])('%s', (_label, r, row) => {
    expect(toRow(r, 'r2', { ref: NEW })).toEqual(expect.objectContaining(row))
  })
})
