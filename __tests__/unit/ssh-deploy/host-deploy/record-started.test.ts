import { describe, expect, it } from '@jest/globals'
import { failedState } from '../../../../src/ssh-deploy/host-deploy/record-started.js'

const live = { id: 'r1', ref: 'a'.repeat(40) }

describe('failedState: what a failure after the started record leaves', () => {
  it.each([
    [false, undefined, live, 'nothing was changed'],
    [
      true,
      undefined,
      live,
      'the server was changed and may be half-deployed: release r2 is recorded as failed; the last good release is r1 (aaaaaaaaaaaa), restore it with rollback-to: previous'
    ],
    [
      true,
      false,
      live,
      'the server was changed and may be half-deployed: release r2 is recorded as failed; the last good release is r1 (aaaaaaaaaaaa)'
    ],
    [
      true,
      undefined,
      undefined,
      'the server was changed and may be half-deployed: release r2 is recorded as failed'
    ]
  ])('changed %s, wayBack %s', (changed, wayBack, before, text) => {
    expect(failedState(changed, { releaseId: 'r2', wayBack }, before)).toBe(text)
  })
})
