import { describe, expect, it } from '@jest/globals'
import { isFullSha, isGitRef } from '../../../src/core/git-ref.js'

const SHA1 = '0123456789abcdef0123456789abcdef01234567'
const SHA256 = '0123456789abcdef'.repeat(4)

describe('isGitRef', () => {
  it.each([
    SHA1,
    'v1.2.3',
    'main',
    'release/2024-06',
    'feature/x_y',
    'HEAD~1',
    'HEAD^',
    'v1@2',
    'abc1234'
  ])('accepts %s', ref => expect(isGitRef(ref)).toBe(true))

  it.each([
    '',
    '-x',
    '--upload-pack=touch /tmp/pwned',
    '--output=/etc/passwd',
    'main;rm -rf /',
    'main && id',
    '$(id)',
    '`id`',
    'a b',
    'main\nid',
    "it's",
    'refs/heads/*'
  ])('refuses %j: git would read it as an option, or a shell as code', ref =>
    expect(isGitRef(ref)).toBe(false)
  )
})

describe('isFullSha', () => {
  it('accepts a full SHA-1 or SHA-256 commit id as rev-parse prints it', () => {
    expect(isFullSha(SHA1)).toBe(true)
    expect(isFullSha(SHA256)).toBe(true)
  })

  it.each([
    ['a short id', SHA1.slice(0, 12)],
    ['a 41-character id', `${SHA1}0`],
    ['upper case', SHA1.toUpperCase()],
    ['a tag', 'v1.2.3'],
    ['an id with a newline after it', `${SHA1}\n`],
    ['a 50-character id', SHA256.slice(0, 50)]
  ])('refuses %s', (_what, ref) => expect(isFullSha(ref)).toBe(false))
})
