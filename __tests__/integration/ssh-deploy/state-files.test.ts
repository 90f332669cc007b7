// The files deploy-kit keeps on a server hold secrets (the env file and its
// backup) or stderr excerpts (the release log, the lock's owner): each is
// mode 600 whatever the server's umask and whatever mode an older copy had.
// The commands run for real under sh here, as the transport runs them there.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RemoteCommand } from '../../../src/core/remote-command.js'
import { fileCommands } from '../../../src/commands/files.js'
import { lockCommands } from '../../../src/commands/lock.js'
import { statePaths } from '../../../src/commands/state-paths.js'

let appDir: string

beforeEach(() => {
  appDir = mkdtempSync(join(tmpdir(), 'deploykit-state-'))
})

afterEach(() => {
  rmSync(appDir, { recursive: true, force: true })
})

/** Runs the command as a login with the usual umask 022 would. */
function runOnServer(command: RemoteCommand): void {
  const [cmd, ...args] = command.argv
  execFileSync('sh', ['-c', 'umask 022; exec "$@"', 'sh', cmd, ...args], {
    input: command.stdin ?? '',
    cwd: command.cwd
  })
}

const mode = (path: string) => statSync(path).mode & 0o777

describe('state files on the server', () => {
  it('backs up a hand-made 0644 env file as 600, and writes the new one 600', () => {
    const env = join(appDir, '.env')
    writeFileSync(env, 'SECRET_KEY=old-secret\n')
    chmodSync(env, 0o644)
    writeFileSync(`${env}.bak`, 'SECRET_KEY=older-secret\n')
    chmodSync(`${env}.bak`, 0o644)
    runOnServer(
      fileCommands.writePrivate(env, statePaths(appDir).envSnapshot('r1'), 'SECRET_KEY="new"\n')
    )
    expect(readFileSync(`${env}.bak`, 'utf8')).toBe('SECRET_KEY=old-secret\n')
    expect(readFileSync(env, 'utf8')).toBe('SECRET_KEY="new"\n')
    expect([mode(env), mode(`${env}.bak`), mode(statePaths(appDir).envSnapshot('r1'))]).toEqual([
      0o600, 0o600, 0o600
    ])
  })

  it('keeps the release log 600, also one an older version left 0644', () => {
    const log = statePaths(appDir).log
    runOnServer(fileCommands.append(log, '{"id":"a"}\n'))
    expect(mode(log)).toBe(0o600)
    chmodSync(log, 0o644)
    runOnServer(fileCommands.append(log, '{"id":"b"}\n'))
    expect(mode(log)).toBe(0o600)
    expect(readFileSync(log, 'utf8')).toBe('{"id":"a"}\n{"id":"b"}\n')
  })

  it('writes the lock owner 600', () => {
    runOnServer(
      lockCommands.acquire(appDir, {
        token: 't',
        runKey: 'acme/app#1.1:deploy',
        runUrl: '',
        release: 'r1',
        since: new Date(0).toISOString()
      })
    )
    expect(mode(statePaths(appDir).lockOwner)).toBe(0o600)
  })
})
