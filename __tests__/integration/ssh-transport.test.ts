// Real OpenSSH servers (sshd from openssh-server) on loopback; no SSH mocks.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readConnectionSettings } from '../../src/core/connection-settings.js'
import { forEachHost } from '../../src/core/fleet.js'
import { mapInputs } from '../../src/core/inputs.js'
import { describe as describeCommand, RemoteCommand } from '../../src/core/remote-command.js'
import { SshSession } from '../../src/core/ssh-session.js'
import * as core from '@actions/core'
import { captureOutput, visibleLog } from '../helpers/capture-output.js'
import { HOSTILE_LINES, hostileScript, serverCommandsActedOn } from '../helpers/hostile-output.js'
import { readStepOutput, SecretMasker } from '../../testbed/secret-masker.js'
import { startSshHosts, SshHosts } from '../../testbed/ssh-hosts.js'
import { freePort } from '../../testbed/ports.js'
import { startSshd, SshServer } from '../../testbed/sshd.js'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { ensurePasswordUser, ensureShellUser, SHELL_KINDS, ShellUser } from '../../testbed/users.js'
import { sampleArgv } from '../../testbed/argv-sampler.js'

let hosts: SshHosts
let work: string

beforeAll(async () => {
  ensurePrerequisites()
  hosts = await startSshHosts(3)
  work = mkdtempSync(join(tmpdir(), 'deploykit-work-'))
})

afterAll(async () => {
  await hosts?.stop()
  rmSync(work, { recursive: true, force: true })
})

function inputs(extra: Record<string, string> = {}) {
  return mapInputs({
    host: hosts.hostInput(1),
    key: hosts.key.privateKey,
    'known-hosts': hosts.knownHosts(),
    'connect-retries': '0',
    ...extra
  })
}

async function openFirst(extra: Record<string, string> = {}): Promise<SshSession> {
  const settings = readConnectionSettings(inputs(extra))
  return SshSession.open(settings.targets[0], { ...settings, retryDelayMs: 100 }, settings.proxy)
}

async function runOnce(extra: Record<string, string>, argv: string[]) {
  const session = await openFirst(extra)
  try {
    return await session.exec({ argv })
  } finally {
    await session.close()
  }
}

describe('authentication', () => {
  it('logs in with a key', async () => {
    const r = await runOnce({}, ['id', '-un'])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe('root')
  })

  it('logs in with a passphrase-protected key', async () => {
    const r = await runOnce({ key: hosts.lockedKey.privateKey, passphrase: hosts.passphrase }, [
      'id',
      '-un'
    ])
    expect(r.stdout.trim()).toBe('root')
  })

  it('refuses a locked key with a wrong passphrase and says so', async () => {
    await expect(
      runOnce({ key: hosts.lockedKey.privateKey, passphrase: 'wrong-passphrase' }, ['true'])
    ).rejects.toThrow(/passphrase/)
  })

  it('logs in with a password', async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}!$'"`
    ensurePasswordUser('deploykit-test', password)
    const s = hosts.servers[0]
    const r = await runOnce({ host: `deploykit-test@${s.address}:${s.port}`, key: '', password }, [
      'id',
      '-un'
    ])
    expect(r.stdout.trim()).toBe('deploykit-test')
  })

  it('accepts a key pasted with Windows line endings and blank lines around it', async () => {
    const pasted = `\r\n\r\n${hosts.key.privateKey.replace(/\n/g, '\r\n')}\r\n\r\n`
    const r = await runOnce({ key: pasted }, ['echo', 'ok'])
    expect(r.stdout).toBe('ok\n')
  })

  it('reads the key from key-path', async () => {
    const r = await runOnce({ key: '', 'key-path': hosts.key.path }, ['echo', 'ok'])
    expect(r.stdout).toBe('ok\n')
  })
})

describe('host key verification', () => {
  const marker = () => join(work, `marker-${Math.random().toString(36).slice(2)}`)

  it('accepts a matching known-hosts line', async () => {
    const file = marker()
    const r = await runOnce({}, ['touch', file])
    expect(r.code).toBe(0)
    expect(existsSync(file)).toBe(true)
  })

  it('accepts a hashed known-hosts line (ssh-keygen -H)', async () => {
    const kh = join(work, 'known_hosts_hashed')
    writeFileSync(kh, hosts.servers[0].knownHostsLine + '\n')
    execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' })
    const hashed = readFileSync(kh, 'utf8')
    expect(hashed).toMatch(/^\|1\|/)
    const r = await runOnce({ 'known-hosts': hashed }, ['echo', 'ok'])
    expect(r.stdout).toBe('ok\n')
  })

  it('accepts the SHA256 fingerprint ssh-keygen -lf prints', async () => {
    const r = await runOnce({ 'known-hosts': '', fingerprint: hosts.servers[0].fingerprint }, [
      'echo',
      'ok'
    ])
    expect(r.stdout).toBe('ok\n')
  })

  it('refuses a server whose key does not match, and runs nothing', async () => {
    const file = marker()
    const otherKey = hosts.servers[1].knownHostsLine.split(' ').slice(1).join(' ')
    const s = hosts.servers[0]
    await expect(
      runOnce({ 'known-hosts': `[${s.address}]:${s.port} ${otherKey}` }, ['touch', file])
    ).rejects.toThrow(/host key mismatch.*nothing was run|nothing was run.*host key mismatch/)
    expect(existsSync(file)).toBe(false)
  })

  it('refuses a fingerprint mismatch, and runs nothing', async () => {
    const file = marker()
    await expect(
      runOnce({ 'known-hosts': '', fingerprint: hosts.servers[1].fingerprint }, ['touch', file])
    ).rejects.toThrow(/host key mismatch/)
    expect(existsSync(file)).toBe(false)
  })

  it('connects without a host key only when insecure-skip-host-key-check is set, with a warning', async () => {
    expect(() => readConnectionSettings(inputs({ 'known-hosts': '' }))).toThrow(
      /ssh-keyscan -p \d+ 127\.0\.0\.2/
    )
    const { output, value } = await captureOutput(async () => {
      const settings = readConnectionSettings(
        inputs({ 'known-hosts': '', 'insecure-skip-host-key-check': 'true' })
      )
      const outcomes = await forEachHost(settings, h => h.check({ argv: ['echo', 'ok'] }))
      return outcomes
    })
    expect(value?.[0].ok).toBe(true)
    expect(output).toMatch(/::warning::.*host key/i)
  })
})

describe('jump host', () => {
  let bastion: SshServer
  beforeAll(async () => {
    bastion = await startSshd({
      address: '127.0.0.9',
      authorizedKeys: [hosts.key.publicKey],
      extraConfig: ['LogLevel DEBUG1']
    })
  })
  afterAll(async () => {
    await bastion?.stop()
  })

  it('reaches the server through proxy-host, checking both host keys', async () => {
    const target = hosts.servers[0]
    const r = await runOnce(
      {
        'proxy-host': `root@${bastion.address}:${bastion.port}`,
        'proxy-known-hosts': bastion.knownHostsLine
      },
      ['echo', 'through']
    )
    expect(r.stdout).toBe('through\n')
    expect(readFileSync(bastion.logFile, 'utf8')).toMatch(
      new RegExp(
        `direct_tcpip: originator .* target ${target.address.replace(/\./g, '\\.')} port ${target.port}`
      )
    )
  })

  it('refuses a jump host whose key does not match', async () => {
    const wrong = hosts.servers[1].knownHostsLine.replace(
      /^\S+/,
      `[${bastion.address}]:${bastion.port}`
    )
    await expect(
      runOnce(
        { 'proxy-host': `root@${bastion.address}:${bastion.port}`, 'proxy-known-hosts': wrong },
        ['true']
      )
    ).rejects.toThrow(
      new RegExp(
        `root@127\\.0\\.0\\.9:${bastion.port}: connection refused, nothing was run: host key mismatch`
      )
    )
  })
})

describe('running commands', () => {
  it('passes hostile values through as literal arguments', async () => {
    const dir = mkdtempSync(join(work, 'hostile-'))
    const values = [
      '$(touch pwned)',
      "'; touch pwned; '",
      '`touch pwned`',
      'a\nb; touch pwned',
      '"; touch pwned; "',
      '$HOME ${PATH} * ? [a]',
      'ünïcødé — 日本語 🚀',
      '--help',
      ''
    ]
    const session = await openFirst()
    try {
      for (const value of values) {
        const r = await session.exec({
          argv: ['printf', '%s', value],
          cwd: dir,
          env: { DK_VALUE: value }
        })
        expect(r.stdout).toBe(value)
        const viaEnv = await session.exec({
          argv: ['sh', '-c', 'printf %s "$DK_VALUE"'],
          cwd: dir,
          env: { DK_VALUE: value }
        })
        expect(viaEnv.stdout).toBe(value)
      }
      const cwdHostile = join(dir, "dir with 'quotes' and $(touch pwned)")
      mkdirSync(cwdHostile)
      const r = await session.exec({ argv: ['pwd'], cwd: cwdHostile })
      expect(r.stdout.trim()).toBe(cwdHostile)
    } finally {
      await session.close()
    }
    expect(existsSync(join(dir, 'pwned'))).toBe(false)
  })

  it('surfaces exit codes, signals, stderr and stdin', async () => {
    const session = await openFirst()
    try {
      const failed = await session.exec({ argv: ['sh', '-c', 'echo oops >&2; exit 7'] })
      expect(failed).toMatchObject({ code: 7, signal: null, stderr: 'oops\n', timedOut: false })
      const killed = await session.exec({ argv: ['sh', '-c', 'kill -TERM $$'] })
      expect(killed.code).toBeNull()
      expect(killed.signal).toBe('SIGTERM')
      const echoed = await session.exec({ argv: ['cat'], stdin: 'line one\nline two\n' })
      expect(echoed.stdout).toBe('line one\nline two\n')
    } finally {
      await session.close()
    }
  })

  it('streams output line by line, prefixed by host when there are several', async () => {
    const settings = readConnectionSettings(inputs({ host: hosts.hostInput(2) }))
    const { output } = await captureOutput(() =>
      forEachHost(settings, h => h.check({ argv: ['sh', '-c', 'echo first; echo second >&2'] }))
    )
    for (const s of hosts.servers.slice(0, 2)) {
      const label = `root@${s.address}:${s.port}`
      expect(output).toContain(`[${label}] first\n`)
      expect(output).toContain(`[${label}] second\n`)
    }
  })

  it('runs on three hosts at the same time', async () => {
    // Each host writes its marker then waits for all three: run one after another, the first would give up.
    const dir = mkdtempSync(join(work, 'parallel-'))
    const script = `touch "$D/$(hostname -I 2>/dev/null | cut -d' ' -f1)-$$"; i=0; while [ "$(ls "$D" | wc -l)" -lt 3 ]; do i=$((i+1)); [ $i -gt 100 ] && exit 9; sleep 0.1; done`
    const settings = readConnectionSettings(
      inputs({ host: hosts.hostInput(3), 'max-parallel': '3' })
    )
    const outcomes = await forEachHost(settings, h =>
      h.check({ argv: ['sh', '-c', script], env: { D: dir } })
    )
    expect(outcomes.map(o => o.ok)).toEqual([true, true, true])
    expect(outcomes.map(o => o.host)).toEqual(hosts.servers.map(s => `root@${s.address}:${s.port}`))
  })

  it('stops a timed-out command and its whole process group on the server', async () => {
    const tag = `600.${Date.now() % 100000}`
    const session = await openFirst({ 'command-timeout': '2' })
    try {
      const r = await session.exec({
        argv: ['sh', '-c', `sleep ${tag} & sleep ${tag}; echo never`]
      })
      expect(r.timedOut).toBe(true)
      expect(r.code).not.toBe(0)
      expect(r.stdout).not.toContain('never')
    } finally {
      await session.close()
    }
    const left = execFileSync('sh', [
      '-c',
      `grep -l -a -- ${tag} /proc/[0-9]*/cmdline 2>/dev/null || true`
    ]).toString()
    const others = left.split('\n').filter(l => l && !l.includes(`/proc/${process.pid}/`))
    expect(
      others.filter(p => existsSync(p) && readFileSync(p, 'utf8').startsWith('sleep'))
    ).toEqual([])
  })

  it('uploads a directory with dotfiles and nested folders', async () => {
    const src = mkdtempSync(join(work, 'upload-src-'))
    mkdirSync(join(src, 'deploy', 'nginx'), { recursive: true })
    writeFileSync(join(src, '.env'), 'SECRET_KEY=x\n')
    writeFileSync(join(src, 'deploy', 'nginx', 'site.conf'), 'server {}\n')
    const dest = join(work, 'upload-dest')
    const session = await openFirst()
    try {
      await session.upload(src, dest)
      const listing = await session.exec({ argv: ['find', dest, '-type', 'f'] })
      expect(listing.stdout.split('\n').filter(Boolean).sort()).toEqual(
        [join(dest, '.env'), join(dest, 'deploy', 'nginx', 'site.conf')].sort()
      )
      expect(readFileSync(join(dest, '.env'), 'utf8')).toBe('SECRET_KEY=x\n')
    } finally {
      await session.close()
    }
  })
})

describe('secret environment', () => {
  const password = `pw-${Math.random().toString(36).slice(2)}`
  const users = new Map<string, ShellUser>()
  const token = () => `tok-${Math.random().toString(36).slice(2, 10)}-`

  beforeAll(() => {
    // The other users reach their own folders in it, not its listing.
    chmodSync(work, 0o711)
    for (const kind of SHELL_KINDS)
      users.set(kind, ensureShellUser(kind, password, join(tmpdir(), 'deploykit-shells')))
  })

  function openAs(kind: string): Promise<SshSession> {
    const s = hosts.servers[0]
    return openFirst({ host: `deploykit-${kind}@${s.address}:${s.port}`, key: '', password })
  }

  // Each holds a token of its own, so a leak of any of them can be looked for by that token.
  function hostileValues(): string[] {
    return [
      `${token()}'; touch pwned; '`,
      `${token()}$(touch pwned)\`touch pwned\`$HOME`,
      `${token()}\\ \\n \\' \\"`,
      `${token()}\nsecond line\n\nfourth`,
      `${token()}\r\nwindows\r`,
      `${token()} ünïcødé — 日本語 🚀`,
      `${token()}"$(id)"'"'`,
      `${token()}\n`,
      `\n\n${token()}`,
      `${token()}${'x'.repeat(100 * 1024)}`,
      `${token()}${'a\n'.repeat(5000)}`
    ]
  }

  it.each(SHELL_KINDS)(
    'with %s as login shell and sh: values arrive byte for byte, never in any argv',
    async kind => {
      const user = users.get(kind) as ShellUser
      user.clearRecord()
      const dir = mkdtempSync(join(work, 'secret-env-'))
      chmodSync(dir, 0o777)
      const values = hostileValues()
      const session = await openAs(kind)
      try {
        for (const value of values) {
          const r = await session.exec({
            argv: ['sh', '-c', 'printf %s "$DK_SECRET"'],
            cwd: dir,
            env: { DK_PLAIN: 'shown', DK_SECRET: value },
            secretEnv: ['DK_SECRET']
          })
          expect(r).toMatchObject({ code: 0, stderr: '' })
          expect(r.stdout).toBe(value)
        }
        const both = await session.exec({
          argv: ['sh', '-c', 'printf "%s|%s|%s|%s" "$A" "$B" "$DK_PLAIN" "$(pwd)"'],
          cwd: dir,
          env: { A: values[0], DK_PLAIN: 'shown', B: values[3] },
          secretEnv: ['A', 'B']
        })
        expect(both.stdout).toBe(`${values[0]}|${values[3]}|shown|${dir}`)
      } finally {
        await session.close()
      }
      expect(existsSync(join(dir, 'pwned'))).toBe(false)
      const recorded = user.recordedArgv()
      // The recorder saw the commands (so it works), and none of the values.
      expect(recorded).toContain('printf %s "$DK_SECRET"')
      expect(recorded).toContain('DK_PLAIN=shown')
      for (const value of values) expect(recorded).not.toContain(/tok-[a-z0-9]+-/.exec(value)?.[0])
    }
  )

  it.each(SHELL_KINDS)(
    "with %s: the command's own stdin follows the secrets untouched",
    async kind => {
      const session = await openAs(kind)
      const secret = `${token()}\nline 2 'q'`
      const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) % 256))
      try {
        const text = await session.exec({
          argv: ['sh', '-c', 'printf "%s|" "$S"; cat'],
          env: { S: secret },
          secretEnv: ['S'],
          stdin: 'first\nsecond\n\nno newline at the end'
        })
        expect(text.stdout).toBe(`${secret}|first\nsecond\n\nno newline at the end`)
        const binary = await session.exec({
          argv: ['sh', '-c', 'od -An -v -tx1 | tr -d " \\n"'],
          env: { S: secret },
          secretEnv: ['S'],
          stdin: bytes
        })
        expect(binary.stdout).toBe(bytes.toString('hex'))
        const none = await session.exec({
          argv: ['sh', '-c', 'printf %s "$S"; cat'],
          env: { S: secret },
          secretEnv: ['S']
        })
        expect(none.stdout).toBe(secret)
      } finally {
        await session.close()
      }
    }
  )

  it.each(['root', ...SHELL_KINDS])(
    'as %s: no process on the server shows the value while the command runs',
    async who => {
      const secret = `${token()}-secret-value`
      const flags = mkdtempSync(join(work, 'flags-'))
      chmodSync(flags, 0o755)
      const flag = join(flags, token())
      const sampler = sampleArgv([secret, flag])
      let report
      try {
        const session = who === 'root' ? await openFirst() : await openAs(who)
        try {
          const running = session.exec({
            argv: [
              'sh',
              '-c',
              'while [ ! -e "$1" ]; do sleep 0.01; done; printf %s "$S"',
              'sh',
              flag
            ],
            env: { S: secret },
            secretEnv: ['S']
          })
          // The command waits until the sampler has seen it, so its whole start was sampled.
          await sampler.seen(flag, undefined, 20_000)
          writeFileSync(flag, '')
          expect((await running).stdout).toBe(secret)
        } finally {
          writeFileSync(flag, '')
          await session.close()
        }
      } finally {
        report = await sampler.stop()
      }
      expect(report.hits[secret]).toEqual([])
      expect(report.hits[flag].length).toBeGreaterThan(0)
    }
  )

  it('logs the command with the secret values hidden', async () => {
    const { output } = await captureOutput(async () => {
      const settings = readConnectionSettings(inputs())
      await forEachHost(settings, h =>
        h.check({
          argv: ['sh', '-c', 'test -n "$S"'],
          env: { S: 'hidden-value-123', M: 'prod' },
          secretEnv: ['S']
        })
      )
    })
    expect(output).toContain(`$ export S='***' M=prod && sh -c 'test -n "$S"'`)
    expect(output).not.toContain('hidden-value-123')
  })
})

describe('debug lines (ACTIONS_STEP_DEBUG)', () => {
  /** The text of each `::debug::` line, unescaped as the runner shows it. */
  function debugLines(output: string): string[] {
    return output
      .split('\n')
      .filter(line => line.startsWith('::debug::'))
      .map(line =>
        line
          .slice('::debug::'.length)
          .replace(/%0D/g, '\r')
          .replace(/%0A/g, '\n')
          .replace(/%25/g, '%')
      )
  }
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

  it('one per remote command: host, command as the log shows it, exit code or signal, ms; never a secret', async () => {
    // Not registered as secrets: they stay out of the lines by construction, not by masking.
    const secret = `dbg-${Math.random().toString(36).slice(2)}-env`
    const onStdin = `dbg-${Math.random().toString(36).slice(2)}-stdin`
    const label = `root@${hosts.servers[0].address}:${hosts.servers[0].port}`
    const passes: RemoteCommand = {
      argv: ['sh', '-c', 'printf "%s|" "$S"; cat'],
      env: { S: secret, PLAIN: 'shown' },
      secretEnv: ['S'],
      stdin: onStdin
    }
    const exits: RemoteCommand = { argv: ['sh', '-c', 'exit 7'] }
    const killed: RemoteCommand = { argv: ['sh', '-c', 'kill -TERM $$'] }
    const slow: RemoteCommand = { argv: ['sleep', '30'] }
    const late: RemoteCommand = { argv: ['true'] }
    const { output, error } = await captureOutput(async () => {
      const session = await openFirst()
      try {
        const r = await session.exec(passes)
        expect(r.stdout).toBe(`${secret}|${onStdin}`)
        expect((await session.exec(exits)).code).toBe(7)
        expect((await session.exec(killed)).signal).toBe('SIGTERM')
        expect((await session.exec(slow, { timeoutMs: 500 })).timedOut).toBe(true)
      } finally {
        await session.close()
      }
      await expect(session.exec(late)).rejects.toThrow('cannot run a command')
    })
    expect(error).toBeUndefined()
    const lines = debugLines(output)
    const expected: Array<[RemoteCommand, string]> = [
      [passes, 'exit 0'],
      [exits, 'exit 7'],
      [killed, 'signal SIGTERM'],
      [slow, 'timed out, stopped \\((signal \\w+|no exit status|exit \\d+)\\)'],
      [late, `failed`]
    ]
    for (const [cmd, end] of expected) {
      const pattern = new RegExp(
        `^${literal(`${label}: $ ${describeCommand(cmd)} → `)}(${end}) in (?<ms>\\d+) ms`
      )
      const line = lines.find(l => pattern.test(l))
      if (!line) throw new Error(`no debug line for ${describeCommand(cmd)}:\n${lines.join('\n')}`)
      if (cmd === slow) expect(Number(pattern.exec(line)!.groups!.ms)).toBeGreaterThanOrEqual(500)
    }
    expect(lines.find(l => l.includes('printf'))).toContain(`S='***' PLAIN=shown`)
    expect(lines.find(l => l.includes(' → failed in '))).toMatch(/ ms: .*cannot run a command/)
    for (const line of lines) {
      expect(line).not.toContain(secret)
      expect(line).not.toContain(onStdin)
    }
    expect(output).not.toContain(secret)
    expect(output).not.toContain(onStdin)
  })
})

describe('failures', () => {
  it('names the host when sshd goes away in the middle of a command', async () => {
    const server: SshServer = await startSshd({
      address: '127.0.0.5',
      authorizedKeys: [hosts.key.publicKey]
    })
    let stopped = false
    try {
      const session = await openFirst({
        host: `root@${server.address}:${server.port}`,
        'known-hosts': server.knownHostsLine
      })
      const running = session.exec({ argv: ['sleep', '30'] })
      setTimeout(() => {
        stopped = true
        void server.stop()
      }, 1000)
      await expect(running).rejects.toThrow(
        new RegExp(
          `root@127\\.0\\.0\\.5:${server.port}: the command was cut off before it finished`
        )
      )
      await session.close()
    } finally {
      if (!stopped) await server.stop()
    }
  })

  it('retries a refused connection until the server is up', async () => {
    const port = await freePort('127.0.0.6')
    const settings = readConnectionSettings(
      inputs({
        host: `root@127.0.0.6:${port}`,
        'insecure-skip-host-key-check': 'true',
        'known-hosts': '',
        'connect-retries': '5'
      })
    )
    let server: SshServer | undefined
    const starting = new Promise<void>(resolve =>
      setTimeout(async () => {
        server = await startSshd({
          address: '127.0.0.6',
          authorizedKeys: [hosts.key.publicKey],
          port
        })
        resolve()
      }, 1500)
    )
    try {
      const { output, value: session } = await captureOutput(() =>
        SshSession.open(settings.targets[0], { ...settings, retryDelayMs: 400 })
      )
      expect(output).toMatch(
        /root@127\.0\.0\.6:\d+: cannot connect: connect ECONNREFUSED .*; retrying in 0\.4s \(1\/5\)/
      )
      const r = await session!.exec({ argv: ['echo', 'up'] })
      expect(r.stdout).toBe('up\n')
      await session!.close()
    } finally {
      await starting
      await server?.stop()
    }
  })

  it('gives up on a port nobody listens on, naming the host', async () => {
    const settings = readConnectionSettings(
      inputs({
        host: 'root@127.0.0.7:1',
        'known-hosts':
          '[127.0.0.7]:1 ' + hosts.servers[0].knownHostsLine.split(' ').slice(1).join(' '),
        'connect-retries': '2'
      })
    )
    await expect(
      SshSession.open(settings.targets[0], { ...settings, retryDelayMs: 50 })
    ).rejects.toThrow(/root@127\.0\.0\.7:1: cannot connect: .*ECONNREFUSED/)
  })

  it('never prints a secret, even when everything fails', async () => {
    const password = `S3cret-${Math.random().toString(36).slice(2)}`
    const wrongPass = `Wr0ng-${Math.random().toString(36).slice(2)}`
    const keyBody = hosts.lockedKey.privateKey.split('\n')[2]
    const attempts: Array<Record<string, string>> = [
      { key: hosts.lockedKey.privateKey, passphrase: wrongPass },
      { key: '', password },
      {
        password,
        'known-hosts': hosts.servers[1].knownHostsLine.replace(
          /^\S+/,
          `[127.0.0.2]:${hosts.servers[0].port}`
        )
      },
      {
        key: hosts.lockedKey.privateKey,
        passphrase: hosts.passphrase,
        host: 'root@127.0.0.7:1',
        'known-hosts':
          '[127.0.0.7]:1 ' + hosts.servers[0].knownHostsLine.split(' ').slice(1).join(' ')
      }
    ]
    for (const extra of attempts) {
      const { output } = await captureOutput(async () => {
        const settings = readConnectionSettings(inputs(extra))
        const outcomes = await forEachHost(settings, h => h.check({ argv: ['true'] }))
        expect(outcomes[0].ok).toBe(false)
        process.stdout.write(`${outcomes[0].error}\n`)
      })
      const shown = visibleLog(output)
      expect(output).toContain('::add-mask::')
      for (const secret of [password, wrongPass, hosts.passphrase, keyBody]) {
        expect(shown).not.toContain(secret)
      }
    }
  })
})

describe('server output in the log', () => {
  // Read by the stand-in for GitHub's runner (testbed/secret-masker.ts), built on actions/runner.
  it.each([1, 3])(
    'is data on %i host(s): the runner acts on none of it, and on every command of deploy-kit',
    async n => {
      const settings = readConnectionSettings(inputs({ host: hosts.hostInput(n) }))
      const seen: string[] = []
      const { output, error } = await captureOutput(async () => {
        core.setSecret('own-Secret-before')
        const outcomes = await forEachHost(settings, async h => {
          await h.run({ argv: ['sh', '-c', hostileScript()] })
          core.setSecret(`own-Secret-${h.label}`)
          // What the server is told: the command line it runs, and its environment.
          const told = await h.check(
            { argv: ['sh', '-c', "tr '\\0' ' ' < /proc/$$/cmdline; env"] },
            { quiet: true }
          )
          seen.push(told.stdout)
          await h.check({ argv: ['sh', '-c', `${hostileScript()}; exit 3`] })
        })
        expect(outcomes.map(o => o.ok)).toEqual(Array(n).fill(false))
        core.warning('own warning after the servers')
      })
      if (error) throw error
      const masker = new SecretMasker()
      const reading = readStepOutput(output, masker)
      expect(serverCommandsActedOn(reading)).toEqual([])
      expect(reading.unmodelled).toEqual([])
      expect(reading.openFence).toBeUndefined()
      expect(masker.registered).not.toContain('Deploy')
      expect(masker.registered).toEqual(
        expect.arrayContaining([
          'own-Secret-before',
          ...settings.targets.map(t => `own-Secret-${t.address.label}`)
        ])
      )
      // One error per host, deploy-kit's, quoting the end of the server's stderr as its message.
      const errors = reading.commands.filter(c => c.command === 'error')
      expect(errors).toHaveLength(n)
      for (const e of errors) {
        expect(e.properties).toEqual({})
        expect(e.data).toMatch(
          /exited with code 3: .*::group::forged group\n::stop-commands::guess$/s
        )
      }
      expect(reading.commands.filter(c => c.command === 'warning').map(c => c.data)).toEqual([
        'own warning after the servers'
      ])
      const prefix = n > 1 ? `[${settings.targets[0].address.label}] ` : ''
      for (const line of HOSTILE_LINES) expect(reading.log.split('\n')).toContain(prefix + line)
      // The token that fences the output never went to a server.
      const token = /^::stop-commands::([0-9a-f]{32})$/m.exec(output)?.[1]
      expect(token).toBeDefined()
      expect(seen).toHaveLength(n)
      for (const text of seen) {
        expect(text).toContain('/proc/$$/cmdline')
        expect(text.toLowerCase()).not.toContain(token)
      }
    }
  )
})
