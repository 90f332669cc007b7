import { describe, expect, it } from '@jest/globals'
import { isFullSha, isGitRef } from '../../../src/ssh-deploy/git-ref.js'

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'

describe('git refs', () => {
  it.each(['main', 'v1.2.3', 'feature/x-y', SHA, 'HEAD~1', 'release@2'])('accepts %s', ref => {
    expect(isGitRef(ref)).toBe(true)
  })

  it.each(['', '--upload-pack=touch /tmp/x', '-b', 'a b', 'x;id', 'a\nb', '$(id)'])(
    'refuses %j',
    ref => {
      expect(isGitRef(ref)).toBe(false)
    }
  )

  it('knows a full sha from anything shorter or longer', () => {
    expect(isFullSha(SHA)).toBe(true)
    expect(isFullSha(SHA.slice(0, 12))).toBe(false)
    expect(isFullSha(`${SHA}0`)).toBe(false)
    expect(isFullSha(SHA.toUpperCase())).toBe(false)
  })
})
