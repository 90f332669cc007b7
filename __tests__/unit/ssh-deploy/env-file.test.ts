import { describe, expect, it } from '@jest/globals'
import {
  EnvDialect,
  envDialect,
  mergeEnv,
  missingEnv,
  parseEnv,
  quoteEnvValue
} from '../../../src/ssh-deploy/env-file.js'
import { HOSTILE_VALUES } from '../../helpers/hostile-env-values.js'

const FILE =
  '# production\nAPP_RELEASE=v0.23\n\nWEB_URL="http://x"\nexport SECRET_KEY=abc\nAPP_RELEASE=stale\n'
const DIALECTS: EnvDialect[] = ['compose-v2', 'compose-v1']

describe('env file', () => {
  it('sets values in place, drops stale duplicates, appends new keys and keeps everything else', () => {
    expect(
      mergeEnv(
        FILE,
        [
          ['APP_RELEASE', 'v0.24'],
          ['NEW_ONE', 'x=y']
        ],
        'compose-v2'
      )
    ).toBe(
      '# production\nAPP_RELEASE="v0.24"\n\nWEB_URL="http://x"\nexport SECRET_KEY=abc\nNEW_ONE="x=y"\n'
    )
    expect(mergeEnv('', [['A', '1']], 'compose-v2')).toBe('A="1"\n')
    expect(mergeEnv(FILE, [], 'compose-v2')).toBe(FILE)
  })

  it("writes the form the server's Compose reads literally", () => {
    expect(envDialect(['docker', 'compose'])).toBe('compose-v2')
    expect(envDialect(['docker-compose'])).toBe('compose-v1')
    expect(quoteEnvValue('pa$word "x"\n\\', 'compose-v2')).toBe('"pa$$word \\"x\\"\\n\\\\"')
    expect(quoteEnvValue('pa$word ${HOME}\\', 'compose-v1')).toBe('"pa$word ${=:-$}{HOME}\\\\${=}"')
    for (const dialect of DIALECTS) {
      expect(() => quoteEnvValue('a\rb', dialect)).toThrow(/carriage return or NUL/)
      expect(() => quoteEnvValue('a\0b', dialect)).toThrow(/carriage return or NUL/)
    }
  })

  it.each(DIALECTS)('reads back every value it writes (%s), each on one line', dialect => {
    const written = mergeEnv('# kept\nOTHER=1\n', HOSTILE_VALUES, dialect)
    expect(written.split('\n')).toHaveLength(HOSTILE_VALUES.length + 3)
    const read = parseEnv(written, dialect)
    for (const [key, value] of HOSTILE_VALUES) expect([key, read.get(key)]).toEqual([key, value])
    // A second deploy replaces each written line in place.
    const again = mergeEnv(
      written,
      HOSTILE_VALUES.map(([k, v]) => [k, `${v}!`]),
      dialect
    )
    expect(again.startsWith('# kept\nOTHER=1\n')).toBe(true)
    const reread = parseEnv(again, dialect)
    for (const [key, value] of HOSTILE_VALUES) expect(reread.get(key)).toBe(`${value}!`)
    expect(reread.size).toBe(HOSTILE_VALUES.length + 1)
  })

  it('reads values as Compose does (quotes and export removed)', () => {
    expect(Object.fromEntries(parseEnv(FILE, 'compose-v2'))).toEqual({
      APP_RELEASE: 'stale',
      WEB_URL: 'http://x',
      SECRET_KEY: 'abc'
    })
    const text = [
      'A=plain # comment',
      "B='single $HOME \\' quote'",
      'C="double $$ \\"q\\" \\n"',
      'D=${A}-$A-${MISSING:-fallback}',
      'E="first',
      'F=inside',
      'last"'
    ].join('\n')
    expect(Object.fromEntries(parseEnv(text, 'compose-v2'))).toEqual({
      A: 'plain',
      B: "single $HOME ' quote",
      C: 'double $ "q" \n',
      D: 'plain-plain-fallback',
      E: 'first\nF=inside\nlast'
    })
    expect(Object.fromEntries(parseEnv(text, 'compose-v1'))).toEqual({
      A: 'plain',
      B: "single $HOME ' quote",
      C: 'double $$ "q" \n',
      D: 'plain-$A-fallback',
      E: 'first\nF=inside\nlast'
    })
  })

  it('replaces a value over several lines whole, not just its first line', () => {
    const text = 'CERT="-----BEGIN\nABC=\n-----END"\nKEEP=1\n'
    for (const dialect of DIALECTS)
      expect(mergeEnv(text, [['CERT', 'new']], dialect)).toBe('CERT="new"\nKEEP=1\n')
  })

  it('keeps the lines it does not set byte for byte, Windows line endings included', () => {
    const text = "A=1\r\nB='x'  # note\r\n\r\n"
    expect(mergeEnv(text, [['C', '3']], 'compose-v2')).toBe(`${text}C="3"\n`)
  })

  it.each(DIALECTS)('names every required variable that is missing or empty (%s)', dialect => {
    expect(
      missingEnv(
        'A=1\nB=\n# C=3\nE=\'\'\nF=""\nG= # note\nH="# quoted"\nI=  \n',
        ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'],
        dialect
      )
    ).toEqual(['B', 'C', 'D', 'E', 'F', 'G', 'I'])
    expect(
      missingEnv(mergeEnv('', HOSTILE_VALUES, dialect), ['PEM_KEY', 'SPACES'], dialect)
    ).toEqual([])
  })
})
