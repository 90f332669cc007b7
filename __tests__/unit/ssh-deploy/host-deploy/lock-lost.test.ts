import { describe, expect, it } from '@jest/globals'
import { Journal } from '../../../../src/ssh-deploy/host-deploy/journal.js'
import { lockLostFailure } from '../../../../src/ssh-deploy/host-deploy/lock-lost.js'
import { LockLost } from '../../../../src/ssh-deploy/lock.js'

const live = { id: 'r1', ref: 'a'.repeat(40), source: 'git' as const, status: 'succeeded' as const }
const lost = new LockLost('other#2', 'switching')

describe('lockLostFailure', () => {
  it('nothing begun: the app still runs the live release, and nothing changed', () => {
    const journal = new Journal()
    journal.open(
      { releaseId: 'r2', ref: 'b'.repeat(40), previousRef: '', previousRelease: '' },
      live
    )
    const failure = lockLostFailure(lost, 'r2', journal)
    expect(failure.message).toBe(
      'another deploy took over the deploy lock: other#2 while this deploy ran, so it stopped before switching. ' +
        'This run had changed nothing; the app still runs release r1 (aaaaaaaaaaaa). ' +
        'This run changes nothing more there: the deploy holding the lock decides what runs'
    )
    expect(failure.report).toMatchObject({ changed: false, lockLost: true })
  })

  it('containers begun: they may run this release', async () => {
    const journal = new Journal()
    journal.open(
      { releaseId: 'r2', ref: 'b'.repeat(40), previousRef: '', previousRelease: '' },
      undefined
    )
    await journal.begin('updating web', { containers: true })
    const failure = lockLostFailure(lost, 'r2', journal)
    expect(failure.message).toContain(
      'This run had begun: updating web; the containers may run release r2 (bbbbbbbbbbbb), recorded as started, not succeeded.'
    )
    expect(failure.report).toMatchObject({ changed: true, lockLost: true })
  })

  it('before the log was read: no release had succeeded that it knows of', () => {
    expect(lockLostFailure(lost, 'r2', new Journal()).message).toContain(
      'This run had changed nothing; no release had succeeded on this host before.'
    )
  })
})
