import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { commandLine, exportPrefix, quote } from '../../src/core/shell.js'
import { describe as describeCommand, toShell } from '../../src/core/remote-command.js'

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
      `export APP_RELEASE=v1.2 NOTE='it'\\''s'; `
    )
    expect(() => exportPrefix({ 'A;rm -rf /': 'x' })).toThrow(/invalid environment variable name/)
  })

  it('shows secret values as *** in the log form only', () => {
    const cmd = {
      argv: ['deploy'],
      cwd: '/srv/app',
      env: { TOKEN: 'abc123', MODE: 'prod' },
      secretEnv: ['TOKEN']
    }
    expect(describeCommand(cmd)).toBe("cd /srv/app && export TOKEN='***' MODE=prod; deploy")
    expect(toShell(cmd)).toBe('cd /srv/app && export TOKEN=abc123 MODE=prod; deploy')
  })
})
