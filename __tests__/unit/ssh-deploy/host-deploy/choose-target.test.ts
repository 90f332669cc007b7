import { describe, expect, it } from '@jest/globals'
import {
  choiceText,
  chooseTarget,
  firstReport
} from '../../../../src/ssh-deploy/host-deploy/choose-target.js'
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

describe('choiceText', () => {
  const C = 'c'.repeat(40)
  it('a deploy: the live release and previous-ref', () => {
    expect(choiceText(records, '', chooseTarget(records, '', LOG))).toBe(
      `live release r1 (${B}): the newest that succeeded of 3 record(s); previous-ref is ${B}`
    )
    expect(choiceText([], '', chooseTarget([], '', LOG))).toBe(
      'no live release: none of 0 record(s) succeeded; previous-ref is empty'
    )
  })

  it('rollback-to previous after a failed deploy: the live release, because the newest failed', () => {
    expect(choiceText(records, 'previous', chooseTarget(records, 'previous', LOG))).toBe(
      `live release r1 (${B}): the newest that succeeded of 3 record(s); rollback-to previous is release r1 (${B}): ` +
        'the newest record (r2) is failed, so the server may run that release: previous is the live one'
    )
  })

  it('rollback-to previous after a good deploy: the release before the live one', () => {
    const good = [...records.slice(0, 2), { ...records[2], status: 'succeeded' as const }]
    expect(choiceText(good, 'previous', chooseTarget(good, 'previous', LOG))).toBe(
      `live release r2 (${C}): the newest that succeeded of 3 record(s); rollback-to previous is release r1 (${B}): ` +
        'the last release that succeeded before the live one, with another ref'
    )
  })

  it('rollback-to an id or a ref', () => {
    expect(choiceText(records, 'r0', chooseTarget(records, 'r0', LOG))).toMatch(
      /; rollback-to r0 is release r0 \(a{40}\): the release with that id$/
    )
    expect(choiceText(records, 'aaaaaaa', chooseTarget(records, 'aaaaaaa', LOG))).toMatch(
      /; rollback-to aaaaaaa is release r0 \(a{40}\): the newest succeeded or rolled-back release whose ref is aaaaaaa$/
    )
  })
})
