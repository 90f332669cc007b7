// The deploy lock's commands over the real SSH transport to a real sshd:
// several deploys, each with its own SSH connection, racing for one lock
// directory on the server's disk.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readConnectionSettings } from '../../../src/core/connection-settings.js'
import { errorMessage } from '../../../src/core/errors.js'
import { HostContext } from '../../../src/core/fleet.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { RemoteCommand } from '../../../src/core/remote-command.js'
import { ExecOptions, ExecResult, SshSession, Transport } from '../../../src/core/ssh-session.js'
import { LockOwner } from '../../../src/commands/lock.js'
import { DeployLock, LockLost } from '../../../src/ssh-deploy/lock.js'
import { statePaths } from '../../../src/commands/state-paths.js'
import { captureOutput } from '../../helpers/capture-output.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { startSshHosts, SshHosts } from '../../../testbed/ssh-hosts.js'

let hosts: SshHosts
let work: string
const sessions: Transport[] = []

beforeAll(async () => {
  ensurePrerequisites()
  hosts = await startSshHosts(1)
  work = mkdtempSync(join(tmpdir(), 'deploykit-lock-'))
})

afterAll(async () => {
  for (const s of sessions) await s.close()
  await hosts?.stop()
  rmSync(work, { recursive: true, force: true })
})

async function connect(): Promise<SshSession> {
  const settings = readConnectionSettings(
    mapInputs({
      host: hosts.hostInput(1),
      key: hosts.key.privateKey,
      'known-hosts': hosts.knownHosts(),
      'connect-retries': '0'
    })
  )
  const session = await SshSession.open(settings.targets[0], settings, settings.proxy)
  sessions.push(session)
  return session
}

/**
 * The real transport, except that the answer to the first command which
 * showed `marker` reaches the deploy only once `until` settles: a deploy on a
 * slow link that looked at the lock, and another one went first meanwhile.
 */
class HeldAfterLook implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly marker: string,
    private readonly until: Promise<unknown>
  ) {}

  get label(): string {
    return this.inner.label
  }

  async exec(cmd: RemoteCommand, opts?: ExecOptions): Promise<ExecResult> {
    const result = await this.inner.exec(cmd, opts)
    if (result.stdout.includes(this.marker)) await this.until.catch(() => undefined)
    return result
  }

  upload(localPath: string, remotePath: string): Promise<void> {
    return this.inner.upload(localPath, remotePath)
  }

  close(): Promise<void> {
    return Promise.resolve() // the inner session is closed with the others
  }
}

function ownerOf(name: string, i: number): LockOwner {
  return {
    token: `${name}-token-${i}`,
    runKey: `acme/app#${i}.1:${name}`,
    runUrl: `https://github.com/acme/app/actions/runs/${name}-${i}`,
    release: `release-${name}-${i}`,
    since: new Date().toISOString()
  }
}

/** A lock as a killed run leaves it: its owner not refreshed for 5 minutes. */
function staleLock(appDir: string, token: string): void {
  const lock = statePaths(appDir).lock
  mkdirSync(lock, { recursive: true })
  writeFileSync(join(lock, 'owner.json'), JSON.stringify({ token, runKey: 'acme/app#1.1:gone' }))
  execFileSync('touch', ['-d', '5 minutes ago', join(lock, 'owner.json')])
}

const ownerOnDisk = (appDir: string) =>
  (JSON.parse(readFileSync(statePaths(appDir).lockOwner, 'utf8')) as LockOwner).token

describe('deploy lock', () => {
  it('of two deploys waiting on the same stale lock, exactly one takes it (20 races)', async () => {
    const a = await connect()
    const b = await connect()
    const races = 20
    /** Per race: how many hold the lock, whose owner file is on the server, what the other was told. */
    const outcomes: Array<{ race: number; holders: string[]; onDisk: string; refused: string[] }> =
      []
    const leftovers: string[] = []
    const { output, error } = await captureOutput(async () => {
      for (let i = 0; i < races; i++) {
        const appDir = join(work, `race-${i}`)
        const dead = `dead-${i}`
        staleLock(appDir, dead)
        const first = DeployLock.acquire(new HostContext(a, '[a] '), appDir, ownerOf('a', i), 0)
        // Every other race, b saw the stale lock and a took it over before b acted on what it saw.
        const bHost = new HostContext(
          i % 2 === 1 ? new HeldAfterLook(b, `"token":"${dead}"`, first) : b,
          '[b] '
        )
        const second = DeployLock.acquire(bHost, appDir, ownerOf('b', i), 0)
        const settled = await Promise.allSettled([first, second])
        const held = settled.flatMap(s => (s.status === 'fulfilled' ? [s.value] : []))
        outcomes.push({
          race: i,
          holders: held.map(l => l.token),
          onDisk: ownerOnDisk(appDir),
          refused: settled.flatMap(s => (s.status === 'rejected' ? [errorMessage(s.reason)] : []))
        })
        // The stale lock moved aside is removed; nothing is left beside the lock.
        const beside = readdirSync(statePaths(appDir).dir).filter(f => f !== 'lock')
        if (beside.length) leftovers.push(`race ${i}: ${beside.join(', ')}`)
        for (const lock of held) await lock.release()
        if (existsSync(statePaths(appDir).lock)) leftovers.push(`race ${i}: lock not released`)
      }
    })
    if (error) throw error
    expect(outcomes).toEqual(
      outcomes.map(({ race, onDisk }) => {
        const winner = onDisk.split('-')[0]
        return {
          race,
          holders: [onDisk],
          onDisk: expect.stringMatching(new RegExp(`^[ab]-token-${race}$`)),
          refused: [
            expect.stringContaining(
              `the app is locked by another deploy: https://github.com/acme/app/actions/runs/${winner}-${race} (release release-${winner}-${race}, since `
            )
          ]
        }
      })
    )
    expect(leftovers).toEqual([])
    // Each take-over was reported once, by the deploy that made it.
    expect(
      output.match(/::warning::.*taking over a deploy lock not refreshed for \d+s/g)
    ).toHaveLength(races)
  })

  it('tells a holder whose lock was taken over, or removed, before its next change', async () => {
    const appDir = join(work, 'stolen')
    const mine = await DeployLock.acquire(
      new HostContext(await connect(), ''),
      appDir,
      ownerOf('mine', 0),
      0
    )
    await mine.ensureHeld('writing the env file')
    // Its heartbeats stopped for longer than the stale time (a stalled connection, say).
    execFileSync('touch', ['-d', '5 minutes ago', statePaths(appDir).lockOwner])
    const theirs = await connect()
    const taken = await captureOutput(() =>
      DeployLock.acquire(new HostContext(theirs, ''), appDir, ownerOf('theirs', 0), 0)
    )
    expect(taken.error).toBeUndefined()
    expect(taken.output).toMatch(/::warning::.*taking over a deploy lock not refreshed/)
    await expect(mine.ensureHeld('writing the env file')).rejects.toThrow(LockLost)
    await expect(mine.ensureHeld('writing the env file')).rejects.toThrow(
      'another deploy took over the deploy lock: https://github.com/acme/app/actions/runs/theirs-0 (release release-theirs-0, since '
    )
    await mine.release()
    expect(ownerOnDisk(appDir)).toBe('theirs-token-0')

    const other = join(work, 'removed')
    const held = await DeployLock.acquire(
      new HostContext(await connect(), ''),
      other,
      ownerOf('held', 0),
      0
    )
    rmSync(statePaths(other).lock, { recursive: true })
    await expect(held.ensureHeld('updating the containers')).rejects.toThrow(
      /^the deploy lock was removed while this deploy ran, so it stopped before updating the containers$/
    )
  })
})
