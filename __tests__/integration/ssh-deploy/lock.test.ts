// The deploy lock's commands over the real SSH transport to a real sshd:
// several deploys, each with its own SSH connection, racing for one lock
// directory on the server's disk.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
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
import { ensurePasswordUser } from '../../../testbed/users.js'

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

async function connect(login?: { user: string; password: string }): Promise<SshSession> {
  const server = hosts.servers[0]
  const settings = readConnectionSettings(
    mapInputs({
      host: login ? `${login.user}@${server.address}:${server.port}` : hosts.hostInput(1),
      ...(login ? { key: '', password: login.password } : { key: hosts.key.privateKey }),
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

/**
 * The real transport, counting the commands it runs; it refuses any past
 * `limit`, so a deploy that would loop on the lock stops with an error.
 */
class Counted implements Transport {
  commands = 0

  constructor(
    private readonly inner: Transport,
    private readonly limit: number
  ) {}

  get label(): string {
    return this.inner.label
  }

  exec(cmd: RemoteCommand, opts?: ExecOptions): Promise<ExecResult> {
    if (++this.commands > this.limit)
      return Promise.reject(new Error(`more than ${this.limit} commands sent`))
    return this.inner.exec(cmd, opts)
  }

  upload(localPath: string, remotePath: string): Promise<void> {
    return this.inner.upload(localPath, remotePath)
  }

  close(): Promise<void> {
    return Promise.resolve()
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

describe('deploy lock the deploy user cannot take', () => {
  const login = { user: 'deploykit-locktest', password: `pw-${process.pid}-lock` }
  let uid = 0
  let gid = 0
  let root = ''

  beforeAll(() => {
    ensurePasswordUser(login.user, login.password)
    ;[uid, gid] = ['-u', '-g'].map(flag => Number(execFileSync('id', [flag, login.user])))
    root = join(work, 'not-writable')
    mkdirSync(root)
    for (const dir of [work, root]) chmodSync(dir, 0o755)
  })

  /** Every path under `dir` with its mode, owner, size, mtime and content: what "nothing changed" compares. */
  function tree(dir: string): string {
    return execFileSync('sh', [
      '-c',
      'find "$1" -exec stat -c "%n %a %u %s %Y" {} \\; -type f -exec cat {} \\;',
      'sh',
      dir
    ]).toString()
  }

  /** Acquires as the deploy user with lock-timeout 1s; returns the error, the commands sent and whether the app's files stayed as they were. */
  async function refused(appDir: string) {
    const before = tree(appDir)
    const transport = new Counted(await connect(login), 20)
    const { error } = await captureOutput(() =>
      DeployLock.acquire(new HostContext(transport, ''), appDir, ownerOf('user', 0), 1000)
    )
    return {
      error: errorMessage(error),
      commands: transport.commands,
      unchanged: tree(appDir) === before
    }
  }

  const label = () => `${login.user}@${hosts.servers[0].address}:${hosts.servers[0].port}`

  it('says it cannot create the lock, and why, when the state directory is not writable', async () => {
    // The app-dir belongs to the deploy user; its state directory was made by root.
    const appDir = join(root, 'state-dir-of-root')
    mkdirSync(statePaths(appDir).dir, { recursive: true })
    chownSync(appDir, uid, gid)
    expect(await refused(appDir)).toEqual({
      error: `${label()}: cannot create the deploy lock ${statePaths(appDir).lock}: Permission denied; nothing was changed on this host`,
      commands: 1,
      unchanged: true
    })
  })

  it('says it cannot create the state directory, and why, when the app-dir is not writable', async () => {
    const appDir = join(root, 'app-dir-of-root')
    mkdirSync(appDir)
    expect(await refused(appDir)).toEqual({
      error: `${label()}: cannot create the deploy lock's directory ${statePaths(appDir).dir}: Permission denied; nothing was changed on this host`,
      commands: 1,
      unchanged: true
    })
  })

  it('says it cannot move a stale lock aside, and why, and leaves that lock as it was', async () => {
    const appDir = join(root, 'stale-lock-of-root')
    staleLock(appDir, 'dead-root')
    chownSync(appDir, uid, gid)
    const { error, commands, unchanged } = await refused(appDir)
    expect({ error, commands, unchanged }).toEqual({
      error: `${label()}: cannot move the stale deploy lock ${statePaths(appDir).lock} aside to take it over: Permission denied; it was left by acme/app#1.1:gone (release ?, since ?). Nothing was changed on this host`,
      commands: 2,
      unchanged: true
    })
    expect(ownerOnDisk(appDir)).toBe('dead-root')
  })
})
