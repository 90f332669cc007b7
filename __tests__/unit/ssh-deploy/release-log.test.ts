import { describe, expect, it } from '@jest/globals'
import {
  currentRelease,
  findRollbackTarget,
  newReleaseId,
  parseReleaseLog,
  previousRelease,
  RELEASE_ID
} from '../../../src/ssh-deploy/release-log.js'

const line = (o: object) => JSON.stringify(o)
const LOG = [
  line({ id: 'r1', ref: 'a'.repeat(40), source: 'git', status: 'started' }),
  line({ id: 'r1', status: 'succeeded' }),
  line({ id: 'r2', ref: 'b'.repeat(40), source: 'git', status: 'started' }),
  line({ id: 'r2', status: 'failed', error: 'boom' }),
  '{"id": "r3", "ref": "cut short by a killed ru',
  line({ id: 'r4', ref: 'c'.repeat(40), source: 'git', status: 'started' }),
  line({ id: 'r4', status: 'succeeded' })
].join('\n')

describe('release log', () => {
  it('folds later lines into earlier ones and skips a torn line', () => {
    expect(parseReleaseLog(LOG).map(r => [r.id, r.status])).toEqual([
      ['r1', 'succeeded'],
      ['r2', 'failed'],
      ['r4', 'succeeded']
    ])
  })

  it('knows the live release and the one before it that succeeded', () => {
    const records = parseReleaseLog(LOG)
    expect(currentRelease(records)?.id).toBe('r4')
    expect(previousRelease(records)?.id).toBe('r1')
    expect(findRollbackTarget(records, 'previous')?.id).toBe('r1')
  })

  it('finds a rollback target by release id, full ref or short sha, never a failed one', () => {
    const records = parseReleaseLog(LOG)
    expect(findRollbackTarget(records, 'r1')?.ref).toBe('a'.repeat(40))
    expect(findRollbackTarget(records, 'aaaaaaa')?.id).toBe('r1')
    expect(findRollbackTarget(records, 'r2')).toBeUndefined()
    expect(
      findRollbackTarget(parseReleaseLog(LOG.split('\n').slice(0, 2).join('\n')), 'previous')
    ).toBeUndefined()
  })

  it('goes back to the last good release when the newest deploy failed', () => {
    const failedLast = parseReleaseLog(
      LOG + '\n' + line({ id: 'r5', ref: 'e'.repeat(40), status: 'failed' })
    )
    expect(findRollbackTarget(failedLast, 'previous')?.id).toBe('r4')
  })

  it('makes ids that sort by time and carry the short sha', () => {
    const id = newReleaseId(new Date('2026-11-23T08:05:09.123Z'), 'd'.repeat(40), 0.5)
    expect(id).toBe('20261123T080509Z-ddddddd-8000')
    expect(id).toMatch(RELEASE_ID)
    expect(newReleaseId(new Date('2026-11-23T08:05:10Z'), 'v1.2/x', 0) > id).toBe(true)
  })
})
