import { describe, expect, it } from '@jest/globals'
import { releaseToCompare } from '../../../../src/ssh-deploy/host-deploy/check-order.js'
import type { ReleaseRecord } from '../../../../src/ssh-deploy/release-log.js'

const live: ReleaseRecord = { id: 'r1', ref: 'a'.repeat(40), source: 'git', status: 'succeeded' }

describe('releaseToCompare: whose commit a deploy must not go back from', () => {
  it('git and upload deploys compare with the live release', () => {
    expect(releaseToCompare({ source: 'git' }, { live })).toBe(live)
    expect(releaseToCompare({ source: 'upload' }, { live })).toBe(live)
  })

  it('a rollback goes back on purpose, and source none deploys no commit', () => {
    expect(releaseToCompare({ source: 'git' }, { live, target: live })).toBeUndefined()
    expect(releaseToCompare({ source: 'none' }, { live })).toBeUndefined()
    expect(releaseToCompare({ source: 'git' }, {})).toBeUndefined()
  })
})
