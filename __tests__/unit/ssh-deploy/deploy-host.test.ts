// The whole deploy of one host as the server sees it: every command in order,
// every line the log shows, the release log it leaves and the error it ends
// with. The server is a scripted stand-in that answers like Docker, Compose,
// git and a POSIX shell would; the testbed suites run the same flows for real.
import { describe, expect, it } from '@jest/globals'
import { cancellation } from '../../../src/core/cancellation.js'
import { HostContext } from '../../../src/core/fleet.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { describe as describeCommand, RemoteCommand } from '../../../src/core/remote-command.js'
import { ExecResult, Transport } from '../../../src/core/ssh-session.js'
import { DeployFailure, deployHost, DeployPlan } from '../../../src/ssh-deploy/deploy-host.js'
import { readDeploySettings, runContext } from '../../../src/ssh-deploy/settings.js'

const OLD = 'a'.repeat(40)
const NEW = 'b'.repeat(40)
const LOG = '/srv/app/.deploy-kit/releases.jsonl'
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g

type Answer = Partial<ExecResult> | undefined

/** A server that answers each command from a few files and rules, and records what it was sent. */
class ScriptedServer implements Transport {
  readonly label = 'web1'
  readonly sent: string[] = []
  files = new Map<string, string>()
  /** Rules tried first: a command whose log line matches gets that answer. */
  rules: Array<[RegExp, Answer | (() => Answer)]> = []
  clone = true
  head = OLD
  containers: Array<{ service: string; image: string; id: string }> = [
    { service: 'web', image: 'app-web', id: 'sha256:new-web' }
  ]
  releases: string[] = []
  /** What docker inspect says of the containers' healthchecks. */
  health = 'healthy'
  /** Heartbeats answered before the lock is found taken over. */
  heartbeatsLeft = Infinity

  async exec(cmd: RemoteCommand): Promise<ExecResult> {
    const line = shortLine(cmd)
    this.sent.push(
      line + (cmd.stdin ? ` <<< ${String(cmd.stdin).replace(TIME, '<time>').trim()}` : '')
    )
    for (const [pattern, answer] of this.rules) {
      if (pattern.test(line)) {
        const a = typeof answer === 'function' ? answer() : answer
        if (a) return { ...result(), ...a }
      }
    }
    return { ...result(), ...this.answer(cmd) }
  }

  private answer(cmd: RemoteCommand): Partial<ExecResult> {
    const [bin, ...args] = cmd.argv
    const script = bin === 'sh' ? (args[1] ?? '') : ''
    if (script.startsWith('[ ! -e "$1" ] || cat')) return { stdout: this.files.get(args[3]) ?? '' }
    if (script.includes('cat >> "$1"')) {
      this.files.set(args[3], (this.files.get(args[3]) ?? '') + String(cmd.stdin ?? ''))
      return {}
    }
    if (script.includes('.bak.deploykit-tmp')) {
      this.files.set(args[3], String(cmd.stdin ?? ''))
      this.files.set(args[4], String(cmd.stdin ?? ''))
      return {}
    }
    if (script.includes('then touch -c')) {
      if (this.heartbeatsLeft-- > 0) return {}
      return { code: 3, stdout: JSON.stringify({ runKey: 'other#2', release: 'theirs' }) }
    }
    if (script.startsWith('git -C "$1" rev-parse --is-shallow')) {
      return { stdout: `false\n${NEW}\n${OLD}\n1\n0\n` }
    }
    if (script.startsWith('[ ! -d "$1" ] || ls -A')) return { stdout: '.env\n' }
    if (bin === 'test' && args[1].endsWith('/.git')) return { code: this.clone ? 0 : 1 }
    if (bin === 'git' && args.includes('config')) return { code: 1 }
    if (bin === 'git' && args.includes('HEAD')) return { stdout: this.head + '\n' }
    if (bin === 'git' && args.includes('rev-parse')) return { stdout: NEW + '\n' }
    if (bin === 'git' && args.includes('checkout')) this.head = args[args.length - 1]
    if (bin === 'git' && args.includes('status')) return { stdout: '' }
    if (bin === 'ls') return { stdout: this.releases.join('\n') + '\n' }
    if (cmd.argv.includes('config') && cmd.argv.includes('--services')) {
      return { stdout: this.containers.map(c => `${c.service}\n`).join('') }
    }
    if (bin === 'docker' && args[0] === 'ps' && args.includes('--all')) {
      return { stdout: this.containers.map(c => `id-${c.service}\n`).join('') }
    }
    if (cmd.argv.includes('ps') && cmd.argv.includes('-q')) {
      return { stdout: this.containers.map(c => `id-${c.service}\n`).join('') }
    }
    if (script.endsWith('exec docker inspect -- "$@"')) {
      return {
        stdout: JSON.stringify(
          this.containers.map(c => ({
            Id: `id-${c.service}`,
            Name: `/app-${c.service}-1`,
            Image: c.id,
            Config: { Image: c.image, Labels: { 'com.docker.compose.service': c.service } },
            State: { Status: 'running', ExitCode: 0, Health: { Status: this.health } }
          }))
        )
      }
    }
    if (bin === 'docker' && args[0] === 'image' && args[1] === 'ls') {
      return { stdout: 'web-r0\nweb-r1\n<none>\n' }
    }
    return {}
  }

  async upload(local: string, remote: string): Promise<void> {
    this.sent.push(`(upload ${local.endsWith('.tar.gz') ? 'ARCHIVE' : local} -> ${remote})`)
  }

  async close(): Promise<void> {}
}

function result(): ExecResult {
  return { code: 0, signal: null, stdout: '', stderr: '', timedOut: false }
}

/** The log line of a command, with the long scripts of src/ cut to their start. */
function shortLine(cmd: RemoteCommand): string {
  const shown = { ...cmd, argv: cmd.argv.map(a => (a.length > 48 ? a.slice(0, 44) + '…' : a)) }
  return describeCommand(shown)
}

/** A host whose log is kept: what a user reads in the job log, beside the commands. */
class RecordingHost extends HostContext {
  constructor(readonly server: ScriptedServer) {
    super(server, '')
  }

  info(line: string): void {
    if (!line.startsWith('$ ')) this.server.sent.push(`# ${line.replace(TIME, '<time>')}`)
  }
}

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'

function settings(extra: Record<string, string> = {}) {
  return readDeploySettings(
    mapInputs({
      host: 'deploy@web1',
      key: KEY,
      fingerprint: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
      'app-dir': '/srv/app',
      source: 'none',
      'lock-timeout': '5',
      // The scripted containers never change: a settle time would only make each deploy wait.
      'wait-stable': '0',
      ...extra
    }),
    runContext({
      GITHUB_SHA: NEW,
      GITHUB_ACTOR: 'octocat',
      GITHUB_REPOSITORY: 'org/app',
      GITHUB_RUN_ID: '7',
      GITHUB_JOB: 'deploy'
    })
  )
}

function plan(extra: Partial<DeployPlan> = {}): DeployPlan {
  return { releaseId: 'r2', lockToken: 'tok', ...extra }
}

function record(fields: Record<string, unknown>): string {
  return JSON.stringify(fields) + '\n'
}

/** A server where release r1 of OLD runs, deployed from the app dir. */
function serverWithLive(extra: Record<string, unknown> = {}): ScriptedServer {
  const server = new ScriptedServer()
  server.files.set(
    LOG,
    record({ id: 'r0', ref: 'c'.repeat(40), source: 'git', status: 'succeeded' }) +
      record({
        id: 'r1',
        ref: OLD,
        source: 'git',
        status: 'started',
        images: { web: { image: 'app-web', id: 'sha256:old-web' } },
        ...extra
      }) +
      record({ id: 'r1', status: 'succeeded' })
  )
  return server
}

interface Outcome {
  sent: string[]
  log: string
  report?: unknown
  error?: string
  failure?: unknown
}

async function deploy(
  server: ScriptedServer,
  inputs: Record<string, string>,
  extra: Partial<DeployPlan> = {}
): Promise<Outcome> {
  const s = settings(inputs)
  const outcome: Outcome = { sent: server.sent, log: '' }
  try {
    outcome.report = await deployHost(new RecordingHost(server), s, plan(extra))
  } catch (err) {
    outcome.error = err instanceof Error ? err.message : String(err)
    if (err instanceof DeployFailure) outcome.failure = err.report
  }
  outcome.log = (server.files.get(LOG) ?? '').replace(TIME, '<time>')
  return outcome
}

describe('deployHost, command by command', () => {
  it('source none: env file written, containers up, ready, recorded, old images pruned', async () => {
    const server = serverWithLive()
    server.files.set('/srv/app/.env', 'KEEP=1\nAPP_RELEASE=v1\n')
    const outcome = await deploy(server, {
      'env-file': '.env',
      vars: 'APP_RELEASE=v2',
      env: 'TOKEN=s3cret',
      'required-env': 'KEEP',
      'keep-releases': '2'
    })
    expect(outcome).toMatchSnapshot()
    expect(server.files.get('/srv/app/.env')).toBe('KEEP=1\nAPP_RELEASE="v2"\nTOKEN="s3cret"\n')
  })

  it('for the root action: the lock stays held and the ready release stays started, to be verified', async () => {
    const server = serverWithLive()
    const locked: string[] = []
    const outcome = await deploy(
      server,
      {},
      { keepLock: true, confirmLater: true, onLocked: (_t, host) => locked.push(host) }
    )
    expect(outcome.error).toBeUndefined()
    expect(locked).toEqual(['web1'])
    // Never released here: the root action frees it at its very end.
    expect(outcome.sent.some(line => line.includes('.released-tok'))).toBe(false)
    const r2 = outcome.log
      .split('\n')
      .filter(line => line.includes('"id":"r2"'))
      .map(line => JSON.parse(line) as Record<string, unknown>)
    expect(r2.map(r => r.status)).toEqual(['started', undefined])
    expect(r2[1]).toMatchObject({ readyAt: '<time>', images: { web: { id: 'sha256:new-web' } } })
    // Its images are kept, although it is not succeeded yet.
    expect(outcome.sent.some(line => /docker image rm .*-r2\b/.test(line))).toBe(false)
  })

  it('source git: fetched, order checked against the live commit, checked out, built, hooks run', async () => {
    const server = serverWithLive()
    const outcome = await deploy(server, {
      source: 'git',
      repository: 'https://github.com/org/app.git',
      build: 'true',
      'pre-deploy': 'echo pre',
      'post-deploy': 'echo post',
      services: 'web'
    })
    expect(outcome).toMatchSnapshot()
    expect(server.head).toBe(NEW)
  })

  it('source git into a directory that is not a clone yet, with compose v1 and no lock', async () => {
    const server = new ScriptedServer()
    server.clone = false
    server.head = ''
    server.rules.push([/^docker compose version$/, { code: 127 }])
    server.rules.push([/rev-parse --verify --quiet HEAD$/, { code: 1 }])
    const outcome = await deploy(server, {
      source: 'git',
      repository: 'https://github.com/org/app.git',
      lock: 'false',
      wait: 'false'
    })
    expect(outcome).toMatchSnapshot()
  })

  it('a failed pre-deploy puts the clone back and changed nothing', async () => {
    const server = serverWithLive()
    server.rules.push([/sh -e -c 'exit 3'/, { code: 3 }])
    const outcome = await deploy(server, { source: 'git', 'pre-deploy': 'exit 3' })
    expect(outcome).toMatchSnapshot()
    expect(server.head).toBe(OLD)
  })

  it('source upload: uploaded, switched, old releases pruned', async () => {
    const server = new ScriptedServer()
    server.releases = ['r0', 'r1', 'r2', '.incoming-x']
    const outcome = await deploy(
      server,
      { source: 'upload', 'keep-releases': '2', 'post-deploy': 'echo post' },
      { archive: '/tmp/release.tar.gz' }
    )
    expect(outcome).toMatchSnapshot()
  })

  it('rollback-to previous from uploads: env snapshot and images restored, the live one marked rolled back', async () => {
    const server = new ScriptedServer()
    server.files.set(
      LOG,
      record({
        id: 'r0',
        ref: 'v1',
        source: 'upload',
        status: 'succeeded',
        images: { web: { image: 'app-web', id: 'sha256:web0' } }
      }) + record({ id: 'r1', ref: 'v2', source: 'upload', status: 'succeeded' })
    )
    server.files.set('/srv/app/.env', 'A=2\n')
    server.files.set('/srv/app/.deploy-kit/env/r0', 'A=0\n')
    server.releases = ['r0', 'r1', 'r2']
    const outcome = await deploy(server, {
      source: 'upload',
      'rollback-to': 'previous',
      'env-file': '.env',
      strategy: 'one-by-one',
      services: 'web'
    })
    expect(outcome).toMatchSnapshot()
  })

  it('rollback to a release whose images are gone builds them again; a migration runs before the start', async () => {
    const server = serverWithLive()
    server.rules.push([/^docker tag sha256:old-web app-web$/, { code: 1 }])
    const migrated: string[] = []
    const outcome = await deploy(
      server,
      { source: 'git', 'rollback-to': 'r1', build: 'true' },
      { beforeStart: async host => void migrated.push(host.label) }
    )
    expect(outcome).toMatchSnapshot()
    expect(migrated).toEqual(['web1'])
  })

  it('a failed compose up is recorded as failed; the containers may have changed, so it says so', async () => {
    const server = serverWithLive()
    server.rules.push([/ up -d$/, { code: 1, stderr: 'port is already allocated' }])
    const outcome = await deploy(server, {}, { wayBack: true })
    expect(outcome).toMatchSnapshot()
    expect(outcome.failure).toMatchObject({ changed: true })
  })

  it('one-by-one: a later service that fails to start leaves the earlier one changed, and says so', async () => {
    const server = serverWithLive()
    server.rules.push([/ up -d --no-deps worker$/, { code: 1, stderr: 'no such image' }])
    const outcome = await deploy(server, { strategy: 'one-by-one', services: 'web, worker' })
    expect(outcome.failure).toMatchObject({ changed: true })
    expect(outcome.error).toContain('the server was changed and may be half-deployed')
    expect(outcome.error).toContain('the last good release is r1')
  })

  it('a failed pull changes no container: nothing was changed', async () => {
    const server = serverWithLive()
    server.rules.push([/ pull$/, { code: 1, stderr: 'manifest unknown' }])
    const outcome = await deploy(server, { pull: 'true' })
    expect(outcome.failure).toMatchObject({ changed: false })
    expect(outcome.error).toContain('nothing was changed')
  })

  it('a failure after the env file was written says the server was changed and names the way back', async () => {
    const server = serverWithLive()
    server.files.set('/srv/app/.env', 'A=1\n')
    server.rules.push([/docker inspect/, { code: 1, stderr: 'engine gone' }])
    const outcome = await deploy(server, { 'env-file': '.env', vars: 'A=2' })
    expect(outcome).toMatchSnapshot()
  })

  it('the root action decides the way back: no rollback hint', async () => {
    const server = serverWithLive()
    server.rules.push([/sh -e -c 'exit 4'/, { code: 4 }])
    const outcome = await deploy(server, { 'post-deploy': 'exit 4' }, { wayBack: false })
    expect(outcome).toMatchSnapshot()
  })

  it('a cancelled run stops before the next change, records the release as cancelled and frees the lock', async () => {
    const server = serverWithLive()
    server.rules.push([
      / up -d$/,
      () => {
        cancellation.request('SIGINT')
        return undefined
      }
    ])
    try {
      const outcome = await deploy(server, {})
      expect(outcome.error).toMatch(
        /^the run was cancelled \(SIGINT\) before recording release r2 as succeeded — the server was changed and may be half-deployed: release r2 is recorded as cancelled; the last good release is r1/
      )
      expect(outcome.failure).toMatchObject({ changed: true })
      expect(outcome.log).toContain('"status":"cancelled"')
      expect(outcome.log).not.toContain('"status":"failed"')
      expect(server.sent.at(-1)).toMatch(/^sh -c 'grep -qF -- "\$3" "\$1\/owner.json"/)
    } finally {
      cancellation.signal = undefined
    }
  })

  it('a run cancelled while it waits for healthy containers stops waiting at once', async () => {
    const server = serverWithLive()
    server.health = 'starting'
    let inspections = 0
    server.rules.push([
      /docker inspect/,
      () => {
        inspections++
        cancellation.request('SIGTERM')
        return undefined
      }
    ])
    try {
      const outcome = await deploy(server, { 'wait-timeout': '600' })
      expect(outcome.error).toMatch(
        /^the run was cancelled \(SIGTERM\) before the containers were ready — the server was changed and may be half-deployed: release r2 is recorded as cancelled/
      )
      // The one that picks the release's containers is the wait's first look: no second look.
      expect(inspections).toBe(1)
      expect(server.sent.filter(line => line.startsWith('docker logs'))).toEqual([])
    } finally {
      cancellation.signal = undefined
    }
  })

  it('a lock taken over mid-deploy stops before the next change and says what had begun', async () => {
    const server = serverWithLive()
    server.heartbeatsLeft = 2
    const outcome = await deploy(server, { source: 'git', 'env-file': '.env' })
    expect(outcome).toMatchSnapshot()
  })

  it('a lock taken over while the containers change says they may run this release', async () => {
    const server = serverWithLive()
    server.heartbeatsLeft = 3
    const outcome = await deploy(server, { strategy: 'one-by-one', services: 'web, worker' })
    expect(outcome).toMatchSnapshot()
  })

  it('refuses before any change: required-env missing, env without env-file, no rollback target, forged ref, rolling plan, older commit', async () => {
    const refusals: Outcome[] = []
    const missing = serverWithLive()
    missing.files.set('/srv/app/.env', 'A=\n')
    refusals.push(await deploy(missing, { 'env-file': '.env', 'required-env': 'A, B' }))
    refusals.push(await deploy(serverWithLive(), { vars: 'A=1' }))
    refusals.push(await deploy(new ScriptedServer(), { 'rollback-to': 'previous' }))
    refusals.push(await deploy(serverWithLive(), { 'rollback-to': 'nope' }))
    refusals.push(await deploy(serverWithLive({ ref: '--upload-pack=x' }), { 'rollback-to': 'r1' }))
    const rolling = serverWithLive()
    rolling.rules.push([/^docker ps --all .*service=web/, { stdout: 'id-web\n' }])
    refusals.push(
      await deploy(rolling, { strategy: 'rolling', services: 'web', 'proxy-service': 'nginx' })
    )
    const older = serverWithLive()
    older.rules.push([/rev-parse --is-shallow/, { stdout: `false\n${NEW}\n${OLD}\n0\n1\n` }])
    refusals.push(await deploy(older, { source: 'git' }))
    expect(refusals).toMatchSnapshot()
  })
})
