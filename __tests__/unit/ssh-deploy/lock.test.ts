// The pure parts of the deploy lock: what a held lock's owner file says and
// how it is shown. Taking, renewing and releasing the lock on a server is in
// __tests__/integration/ssh-deploy/lock.test.ts.
import { describe, expect, it } from '@jest/globals'
import { describeOwner, LockLost, newLockToken, parseHolder } from '../../../src/ssh-deploy/lock.js'

const OWNER = {
  token: 'f00d',
  runKey: 'acme/shop#42',
  runUrl: 'https://github.com/acme/shop/actions/runs/42',
  release: '20261202T101500Z-a1b2c3d',
  since: '2026-12-02T10:15:00Z'
}

describe('parseHolder', () => {
  it("reads the lock's age, the token and the owner file", () => {
    expect(parseHolder(`75\n f00d \n${JSON.stringify(OWNER, null, 2)}`)).toEqual({
      ageSeconds: 75,
      token: 'f00d',
      owner: OWNER
    })
  })

  it('knows no owner when the owner file is missing or not a JSON object', () => {
    expect(parseHolder('3\nabc\n').owner).toBeUndefined()
    expect(parseHolder('3\nabc\n"a string"').owner).toBeUndefined()
    expect(parseHolder('3\nabc\n{ torn').owner).toBeUndefined()
  })
})

describe('describeOwner', () => {
  it('names the run that holds the lock, its release and since when', () => {
    expect(describeOwner(OWNER)).toBe(
      'https://github.com/acme/shop/actions/runs/42 (release 20261202T101500Z-a1b2c3d, since 2026-12-02T10:15:00Z)'
    )
    expect(describeOwner({ ...OWNER, runUrl: '' })).toMatch(/^acme\/shop#42 \(release /)
  })

  it('keeps what the server wrote on one line, so it cannot start a workflow command', () => {
    const shown = describeOwner({ ...OWNER, release: 'r1\n::add-mask::x', since: '\r' })
    expect(shown).toBe(
      'https://github.com/acme/shop/actions/runs/42 (release "r1\\n::add-mask::x", since "\\r")'
    )
    expect(shown).not.toMatch(/[\r\n]/)
  })

  it('says an unknown deploy holds it when the owner file names no run', () => {
    expect(describeOwner(undefined)).toBe('an unknown deploy')
    expect(describeOwner({ release: 'r1' })).toBe('an unknown deploy')
    expect(describeOwner({ runKey: 'k' })).toBe('k (release ?, since ?)')
  })
})

describe('LockLost', () => {
  it('says who took the lock, or that it was removed, and what was not done', () => {
    expect(new LockLost('acme/shop#43', 'restarting services').message).toBe(
      'another deploy took over the deploy lock: acme/shop#43 while this deploy ran, so it stopped before restarting services'
    )
    expect(new LockLost('nobody', 'restarting services').message).toBe(
      'the deploy lock was removed while this deploy ran, so it stopped before restarting services'
    )
  })
})

describe('newLockToken', () => {
  it('is 24 hex digits, new each time', () => {
    expect(newLockToken()).toMatch(/^[0-9a-f]{24}$/)
    expect(newLockToken()).not.toBe(newLockToken())
  })
})
