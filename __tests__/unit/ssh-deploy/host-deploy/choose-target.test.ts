import { describe, expect, it } from '@jest/globals'
import { chooseTarget, firstReport } from '../../../../src/ssh-deploy/host-deploy/choose-target.js'
import type { ReleaseRecord } from '../../../../src/ssh-deploy/release-log.js'

const LOG = '/srv/app/.deploy-kit/releases.jsonl'
const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const records: ReleaseRecord[] = [
  { id: 'r0', ref: A, source: 'git', status: 'succeeded' },
  { id: 'r1', ref: B, source: 'git', status: 'succeeded' },
  { id: 'r2', ref: 'c'.repeat(40), source: 'git', status: 'failed' }
]

describe('chooseTarget', () => {
  it('a deploy has no target; the live release is the newest that succeeded', () => {
    expect(chooseTarget(records, '', LOG)).toEqual({ live: records[1] })
  })

  it('rollback-to previous after a failed deploy goes to the last good release', () => {
    expect(chooseTarget(records, 'previous', LOG)).toEqual({ live: records[1], target: records[1] })
  })

  it('rollback-to a release id or sha', () => {
    expect(chooseTarget(records, 'r0', LOG).target).toBe(records[0])
    expect(chooseTarget(records, A.slice(0, 7), LOG).target).toBe(records[0])
  })

  it('names the releases it could go back to when none matches', () => {
    expect(() => chooseTarget(records, 'r9', LOG)).toThrow(
      `nothing to roll back to for rollback-to: r9. Succeeded releases on this host: r0 (${A.slice(0, 12)}), r1 (${B.slice(0, 12)})`
    )
    expect(() => chooseTarget([], 'previous', LOG)).toThrow(
      'nothing to roll back to for rollback-to: previous. This host has no succeeded release in its log'
    )
  })

  it('refuses a target whose ref git would read as an option', () => {
    const forged: ReleaseRecord[] = [
      { id: 'r0', ref: '--exec=x', source: 'git', status: 'succeeded' }
    ]
    expect(() => chooseTarget(forged, 'r0', LOG)).toThrow(
      `release r0 in ${LOG} has ref "--exec=x", which is not a git ref`
    )
  })
})

describe('firstReport', () => {
  it('a deploy reports the ref to deploy and what was live', () => {
    expect(firstReport('r3', { ref: 'main' }, { live: records[1] })).toEqual({
      releaseId: 'r3',
      ref: 'main',
      previousRef: B,
      previousRelease: 'r1',
      rollbackOf: undefined
    })
  })

  it("a rollback reports the target's ref; a first deploy has nothing before", () => {
    expect(firstReport('r3', { ref: 'main' }, { target: records[0] })).toEqual({
      releaseId: 'r3',
      ref: A,
      previousRef: '',
      previousRelease: '',
      rollbackOf: 'r0'
    })
  })
})
