import { describe, expect, it } from '@jest/globals'
import { mergeEnv, missingEnv, parseEnv } from '../../../src/ssh-deploy/env-file.js'

const FILE =
  '# production\nAPP_RELEASE=v0.23\n\nWEB_URL="http://x"\nexport SECRET_KEY=abc\nAPP_RELEASE=stale\n'

describe('env file', () => {
  it('sets values in place, drops stale duplicates, appends new keys and keeps everything else', () => {
    expect(
      mergeEnv(FILE, [
        ['APP_RELEASE', 'v0.24'],
        ['NEW_ONE', 'x=y']
      ])
    ).toBe(
      '# production\nAPP_RELEASE=v0.24\n\nWEB_URL="http://x"\nexport SECRET_KEY=abc\nNEW_ONE=x=y\n'
    )
    expect(mergeEnv('', [['A', '1']])).toBe('A=1\n')
    expect(mergeEnv(FILE, [])).toBe(FILE)
  })

  it('reads values as Compose does (quotes and export removed)', () => {
    expect(Object.fromEntries(parseEnv(FILE))).toEqual({
      APP_RELEASE: 'stale',
      WEB_URL: 'http://x',
      SECRET_KEY: 'abc'
    })
  })

  it('names every required variable that is missing or empty', () => {
    expect(missingEnv('A=1\nB=\n# C=3\n', ['A', 'B', 'C', 'D'])).toEqual(['B', 'C', 'D'])
  })
})
