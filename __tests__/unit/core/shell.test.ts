import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  commandLine,
  exportPrefix,
  quote,
  STDIN_ENV_READER,
  stdinExportLine
} from '../../../src/core/shell.js'

const HOSTILE = [
  '$(touch pwned)',
  "'; touch pwned; '",
  '`id`',
  'a\nb',
  '"',
  "'",
  '\\',
  '*',
  '~',
  'ünï 🚀',
  '',
  ' lead',
  '-n'
]

// Each quoted string is handed to a real /bin/sh (dash) and must come back unchanged.
function roundTrip(value: string): string {
  return execFileSync('sh', ['-c', `printf %s ${quote(value)}`], { encoding: 'utf8' })
}

describe('quote', () => {
  it.each(HOSTILE)('keeps %j literal through a real shell', value => {
    expect(roundTrip(value)).toBe(value)
  })

  it('leaves plain words readable', () => {
    expect(
      commandLine(['docker', 'compose', '-f', 'deploy/docker-compose.prod.yml', 'up', '-d'])
    ).toBe('docker compose -f deploy/docker-compose.prod.yml up -d')
  })

  it('refuses an empty command', () => {
    expect(() => commandLine([])).toThrow(/empty argv/)
  })

  it('refuses a NUL, which neither the SSH exec string nor an argv can carry, without showing the value', () => {
    expect(() => quote('secret\0tail')).toThrow(
      /^a command cannot carry a NUL character; nothing was sent$/
    )
    expect(() => exportPrefix({ DATABASE_URL: 'postgres://u:pw@h/\0' })).toThrow(/NUL/)
  })
})

describe('environment', () => {
  it('exports values quoted and refuses names a shell would misread', () => {
    expect(exportPrefix({ APP_RELEASE: 'v1.2', NOTE: "it's" })).toBe(
      `export APP_RELEASE=v1.2 NOTE='it'\\''s' && `
    )
    expect(() => exportPrefix({ 'A;rm -rf /': 'x' })).toThrow(/invalid environment variable name/)
  })
})

// Values a secret may hold; the line must come back byte for byte through each shell's `read`.
const SECRET_VALUES = [
  ...HOSTILE,
  'two\nlines',
  '\n',
  'ends with newline\n',
  '\r\nwindows\r',
  'back\\slash \\\' \\"',
  '$(touch pwned) `id` ${HOME}',
  '"$__deploykit_nl"',
  'x'.repeat(100 * 1024),
  'a\n'.repeat(3000)
]
const SHELLS = [['dash'], ['bash'], ['busybox', 'sh']]

describe('environment on standard input', () => {
  it.each(SHELLS)('%s reads every value back and leaves the rest of stdin', (...shell) => {
    const env = Object.fromEntries(SECRET_VALUES.map((v, i) => [`V${i}`, v]))
    const print = SECRET_VALUES.map((_, i) => `printf '%s\\0' "$V${i}"`).join('; ')
    const out = execFileSync(
      shell[0],
      [...shell.slice(1), '-c', `${STDIN_ENV_READER}${print}; cat`],
      {
        input: stdinExportLine(env) + 'the rest\nof stdin',
        maxBuffer: 16 * 1024 * 1024
      }
    ).toString('utf8')
    expect(out).toBe(SECRET_VALUES.map(v => `${v}\0`).join('') + 'the rest\nof stdin')
  })

  it('writes the values on one line, never a newline of theirs', () => {
    const line = stdinExportLine({ A: 'one\ntwo', B: "it's" })
    expect(line).toBe(`export A='one'"$__deploykit_nl"'two' B='it'\\''s'\n`)
    expect(() => stdinExportLine({ 'A B': 'x' })).toThrow(/invalid environment variable name/)
    expect(() => stdinExportLine({ A: 'a\0b' })).toThrow(/the value of A holds a NUL byte/)
  })
})
