import { describe, expect, it } from '@jest/globals'
import { isFullSha, isGitRef } from '../../../src/ssh-deploy/git-ref.js'
import { gitCommands } from '../../../src/ssh-deploy/git-source.js'

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

describe('gitCommands', () => {
  it('ends the options before a ref given to fetch or rev-parse', () => {
    expect(gitCommands.fetchRef('/srv/app', '-x').argv).toEqual([
      'git',
      '-C',
      '/srv/app',
      'fetch',
      '--force',
      '--end-of-options',
      'origin',
      '-x'
    ])
    expect(gitCommands.resolve('/srv/app', 'origin/main').argv.slice(-2)).toEqual([
      '--end-of-options',
      'origin/main^{commit}'
    ])
  })

  it('checks out only a full sha', () => {
    expect(gitCommands.checkout('/srv/app', SHA).argv).toEqual([
      'git',
      '-C',
      '/srv/app',
      'checkout',
      '--force',
      '--detach',
      SHA
    ])
    expect(() => gitCommands.checkout('/srv/app', '--orphan=x')).toThrow(
      'refusing to check out "--orphan=x": not a full commit sha'
    )
  })
})
