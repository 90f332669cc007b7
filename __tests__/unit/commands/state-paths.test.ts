import { describe, expect, it } from '@jest/globals'
import { statePaths } from '../../../src/commands/state-paths.js'

describe('statePaths', () => {
  it('keeps the release log, the lock and env snapshots under <app-dir>/.deploy-kit/', () => {
    const p = statePaths('/srv/app')
    expect({ ...p, envSnapshot: p.envSnapshot('20240601-120000-abc1234') }).toEqual({
      dir: '/srv/app/.deploy-kit',
      log: '/srv/app/.deploy-kit/releases.jsonl',
      lock: '/srv/app/.deploy-kit/lock',
      lockOwner: '/srv/app/.deploy-kit/lock/owner.json',
      envSnapshot: '/srv/app/.deploy-kit/env/20240601-120000-abc1234',
      releases: '/srv/app/releases',
      current: '/srv/app/current'
    })
  })

  it('names the same places whether app-dir ends with a slash or not', () => {
    expect(statePaths('/srv/app/').log).toBe('/srv/app/.deploy-kit/releases.jsonl')
    expect(statePaths('/srv/app/').current).toBe('/srv/app/current')
  })

  it('keeps a relative app-dir relative (to the SSH user’s home)', () => {
    expect(statePaths('app').lock).toBe('app/.deploy-kit/lock')
  })
})
