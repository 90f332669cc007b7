import { describe, expect, it } from '@jest/globals'
import { chooseClear, clearReason } from '../../../src/collectstatic/clear.js'

const FORWARD = { id: '20261201T100000Z-bbbbbbb-0002' }
const ROLLBACK = {
  id: '20261201T101000Z-aaaaaaa-0003',
  rollbackOf: '20261201T090000Z-aaaaaaa-0001'
}

describe('chooseClear', () => {
  it.each([
    ['a forward deploy keeps what is there', false, false, FORWARD, { clear: false }],
    ['no release log (another tool deployed)', false, false, undefined, { clear: false }],
    ['the clear input', true, false, FORWARD, { clear: true, reason: 'input' }],
    [
      'the live release went back to an older one (rollback-to, the rollback workflow)',
      false,
      false,
      ROLLBACK,
      { clear: true, reason: 'rollback', release: ROLLBACK.id, restores: ROLLBACK.rollbackOf }
    ],
    [
      'a rollback wins over the clear input, to say why',
      true,
      false,
      ROLLBACK,
      { clear: true, reason: 'rollback', release: ROLLBACK.id, restores: ROLLBACK.rollbackOf }
    ],
    [
      'the caller has just rolled back, whatever the log says',
      false,
      true,
      FORWARD,
      { clear: true, reason: 'rollback', release: FORWARD.id }
    ],
    [
      'the caller has just rolled back and the log cannot be read',
      false,
      true,
      undefined,
      { clear: true, reason: 'rollback' }
    ]
  ])('%s', (_, clearInput, afterRollback, live, choice) => {
    expect(chooseClear({ clearInput, afterRollback, live })).toEqual(choice)
  })
})

describe('clearReason', () => {
  it('says why the copy clears first, and nothing when it does not', () => {
    expect(clearReason({ clear: false })).toBe('')
    expect(clearReason({ clear: true, reason: 'input' })).toBe('clear: true')
    expect(
      clearReason(chooseClear({ clearInput: false, afterRollback: true, live: ROLLBACK }))
    ).toBe(`release ${ROLLBACK.id} went back to release ${ROLLBACK.rollbackOf}`)
    expect(clearReason({ clear: true, reason: 'rollback' })).toBe('the host was just rolled back')
  })
})
