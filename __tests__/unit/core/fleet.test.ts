// How several servers are worked on: at most max-parallel at once, each
// outcome reported per host, each session closed. The sessions here are
// in-process transports so the order of events can be observed without a
// network; the SSH transport itself runs against the testbed's OpenSSH
// servers in __tests__/integration/ssh-transport.test.ts.
import { describe, expect, it } from '@jest/globals'
import type { ConnectionSettings, Endpoint } from '../../../src/core/connection-settings.js'
import { RemoteError } from '../../../src/core/errors.js'
import { failureText, forEachHost, HostContext, mapLimited } from '../../../src/core/fleet.js'
import { SKIP_POLICY } from '../../../src/core/host-keys.js'
import { parseHost } from '../../../src/core/hosts.js'
import type { RemoteCommand } from '../../../src/core/remote-command.js'
import type { ExecOptions, ExecResult, SshSession } from '../../../src/core/ssh-session.js'
import { captureOutput } from '../../helpers/capture-output.js'

/** Lets every other pending callback run `n` times over, so work can finish in any chosen order. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve))
}

const EXIT_0: ExecResult = { code: 0, signal: null, stdout: '', stderr: '', timedOut: false }
const ok = (stdout = ''): ExecResult => ({ ...EXIT_0, stdout })

/** A transport that answers every command with `answer` and records what it was asked. */
class RecordingTransport {
  readonly commands: RemoteCommand[] = []
  closed = false
  constructor(
    readonly label: string,
    private readonly answer: (cmd: RemoteCommand) => ExecResult = () => ok()
  ) {}
  async exec(cmd: RemoteCommand, opts: ExecOptions = {}): Promise<ExecResult> {
    this.commands.push(cmd)
    const result = this.answer(cmd)
    if (result.stdout) opts.onStdout?.(result.stdout)
    if (result.stderr) opts.onStderr?.(result.stderr)
    return result
  }
  async upload(): Promise<void> {}
  async close(): Promise<void> {
    this.closed = true
  }
}

function settings(hosts: string[], maxParallel: number): ConnectionSettings {
  const targets: Endpoint[] = hosts.map(h => ({
    address: parseHost(h, { port: 22, username: 'deploy' }),
    credentials: {},
    hostKey: SKIP_POLICY
  }))
  return {
    targets,
    insecureSkipHostKeyCheck: true,
    connectTimeoutMs: 1000,
    connectRetries: 0,
    commandTimeoutMs: 0,
    maxParallel
  }
}

/** Opens a RecordingTransport per host, or fails for the hosts in `unreachable`, and keeps count. */
function sessions(unreachable: string[] = []) {
  const opened = new Map<string, RecordingTransport>()
  let open = 0
  let mostOpen = 0
  const openSession = (async (target: Endpoint) => {
    const label = target.address.label
    await turns(1)
    if (unreachable.includes(label)) throw new Error('connect ECONNREFUSED')
    const transport = new RecordingTransport(label)
    const close = transport.close.bind(transport)
    transport.close = async () => {
      open--
      await close()
    }
    open++
    mostOpen = Math.max(mostOpen, open)
    opened.set(label, transport)
    return transport as unknown as SshSession
  }) as typeof SshSession.open
  return { openSession, opened, mostOpen: () => mostOpen }
}

const HOSTS = ['a.example', 'b.example', 'c.example', 'd.example', 'e.example']
const LABELS = HOSTS.map(h => `deploy@${h}`)

describe('mapLimited', () => {
  it('keeps at most `limit` calls in flight and returns results in the order of the items', async () => {
    let inFlight = 0
    let most = 0
    const started: number[] = []
    const results = await mapLimited([5, 1, 4, 2, 3], 2, async n => {
      started.push(n)
      inFlight++
      most = Math.max(most, inFlight)
      await turns(n)
      inFlight--
      return n * 10
    })
    expect(most).toBe(2)
    expect(started).toEqual([5, 1, 4, 2, 3])
    expect(results).toEqual([50, 10, 40, 20, 30])
  })

  it('runs everything at once when the limit allows', async () => {
    let inFlight = 0
    let most = 0
    await mapLimited([1, 2, 3], 10, async () => {
      inFlight++
      most = Math.max(most, inFlight)
      await turns(2)
      inFlight--
    })
    expect(most).toBe(3)
  })
})

describe('forEachHost', () => {
  it('works on the hosts in parallel, never more than max-parallel at once', async () => {
    for (const maxParallel of [1, 2, 5]) {
      const s = sessions()
      const outcomes = await forEachHost(
        settings(HOSTS, maxParallel),
        async host => {
          await turns(3)
          return host.label
        },
        s.openSession
      )
      expect([maxParallel, s.mostOpen()]).toEqual([maxParallel, maxParallel])
      expect(outcomes).toEqual(LABELS.map(host => ({ host, ok: true, value: host })))
    }
  })

  it('reports a failure on one host for that host and finishes the others', async () => {
    const s = sessions(['deploy@d.example'])
    const { output, value: outcomes } = await captureOutput(() =>
      forEachHost(
        settings(HOSTS, 2),
        async host => {
          if (host.label === 'deploy@b.example')
            throw new RemoteError(host.label, '`docker compose up -d` exited with code 1')
          await turns(2)
          return 'deployed'
        },
        s.openSession
      )
    )
    expect(outcomes).toEqual([
      { host: 'deploy@a.example', ok: true, value: 'deployed' },
      {
        host: 'deploy@b.example',
        ok: false,
        error: 'deploy@b.example: `docker compose up -d` exited with code 1'
      },
      { host: 'deploy@c.example', ok: true, value: 'deployed' },
      { host: 'deploy@d.example', ok: false, error: 'connect ECONNREFUSED' },
      { host: 'deploy@e.example', ok: true, value: 'deployed' }
    ])
    // One annotation per failed host, naming it once.
    expect(output.split('\n').filter(l => l.startsWith('::error::'))).toEqual([
      '::error::deploy@b.example: `docker compose up -d` exited with code 1',
      '::error::deploy@d.example: connect ECONNREFUSED'
    ])
  })

  it('closes the session of every host it opened, the failed ones too', async () => {
    const s = sessions()
    await captureOutput(() =>
      forEachHost(
        settings(HOSTS, 3),
        async host => {
          if (host.label === 'deploy@c.example') throw new Error('boom')
        },
        s.openSession
      )
    )
    expect([...s.opened.keys()].sort()).toEqual(LABELS)
    expect([...s.opened.values()].every(t => t.closed)).toBe(true)
  })

  it('names the host before each log line when several run at once, and not for a single host', async () => {
    const logOf = async (hosts: string[]) =>
      (
        await captureOutput(() =>
          forEachHost(
            settings(hosts, 2),
            async host => host.info('pulling images'),
            sessions().openSession
          )
        )
      ).output
    const several = await logOf(['a.example', 'b.example'])
    expect(several).toContain('[deploy@a.example] pulling images')
    expect(several).toContain('[deploy@b.example] pulling images')
    expect(await logOf(['a.example'])).toMatch(/^pulling images$/m)
  })
})

describe('HostContext', () => {
  const cmd: RemoteCommand = {
    argv: ['docker', 'compose', 'up', '-d'],
    cwd: '/srv/app',
    env: { APP_RELEASE: 'v1.2', TOKEN: 'hunter2-secret-token' },
    secretEnv: ['TOKEN']
  }

  it("logs the command with its secret values hidden, then the server's output after the host's name", async () => {
    const transport = new RecordingTransport('deploy@a.example', () => ok('Started web\n'))
    const { output } = await captureOutput(() =>
      new HostContext(transport, '[deploy@a.example] ').run(cmd)
    )
    expect(output).toContain(
      "[deploy@a.example] $ cd /srv/app && export APP_RELEASE=v1.2 TOKEN='***' && docker compose up -d"
    )
    expect(output).toContain('[deploy@a.example] Started web')
    expect(output).not.toContain('hunter2-secret-token')
    expect(transport.commands).toEqual([cmd])
  })

  it('logs nothing of a quiet command', async () => {
    const transport = new RecordingTransport('deploy@a.example', () => ok('secret-ish output\n'))
    const { output } = await captureOutput(() =>
      new HostContext(transport, '').run(cmd, { quiet: true })
    )
    expect(output).toBe('')
  })

  it('check throws an error naming the host, the command and the last lines of its stderr', async () => {
    const stderr = ['1', '2', '3', '4', '5', '6', 'no such service: web'].join('\n')
    const transport = new RecordingTransport('deploy@a.example', () => ({
      ...ok(),
      code: 1,
      stderr
    }))
    const { error } = await captureOutput(() =>
      new HostContext(transport, '').check({ argv: ['docker', 'compose', 'up', 'web'] })
    )
    expect(error).toBeInstanceOf(RemoteError)
    expect((error as RemoteError).host).toBe('deploy@a.example')
    expect((error as Error).message).toBe(
      'deploy@a.example: `docker compose up web` exited with code 1: 3\n4\n5\n6\nno such service: web'
    )
  })

  it('check returns the result of a command that exits 0', async () => {
    const transport = new RecordingTransport('deploy@a.example', () => ok('fine\n'))
    const { value } = await captureOutput(() =>
      new HostContext(transport, '').check({ argv: ['true'] })
    )
    expect(value?.stdout).toBe('fine\n')
  })
})

describe('failureText', () => {
  const cmd: RemoteCommand = { argv: ['sleep', '600'] }
  it.each([
    [{ code: 2 }, '`sleep 600` exited with code 2'],
    [{ code: null, signal: 'KILL' }, '`sleep 600` was killed by signal KILL'],
    [{ code: null, timedOut: true }, '`sleep 600` timed out and was stopped'],
    [
      { code: 1, stderr: '\nerror: disk full\n\n' },
      '`sleep 600` exited with code 1: error: disk full'
    ]
  ])('%j → %s', (result, text) => {
    expect(failureText(cmd, { ...ok(), ...result })).toBe(text)
  })
})
