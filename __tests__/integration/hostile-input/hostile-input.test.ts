// Hostile input through every command builder of src/, run for real by
// dash, bash and busybox sh exactly as the SSH transport has a server run it
// (the login shell reads the exec string, then `sh -c` the script). Every
// program the commands call is a recorder on PATH, so what arrives is read
// back and compared with the argv the builder meant; canaries show anything
// executed. A sample also goes over real SSH, with each shell as the login
// shell. Where things are:
//   values              __tests__/helpers/hostile-values.ts
//   the builders tried  builders.ts (REMOTE_CASES, RUNNER_CASES, restoreHint)
//   what is left out    coverage.ts (code by design, and why each other export is no builder)
//   script models       expected-calls.ts (the calls each `sh -c` script of src/ makes)
//   refusals            refusals.test.ts (inputs the settings refuse, NUL in the transport)
// DK_DEBUG=1 prints the time of each part and one mismatch of each kind.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readConnectionSettings } from '../../../src/core/connection-settings.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { shellLaunch } from '../../../src/core/remote-command.js'
import { SshSession } from '../../../src/core/ssh-session.js'
import type { RemoteCommand } from '../../../src/core/remote-command.js'
import { docker as runDocker } from '../../../src/build-image/docker-cli.js'
import { runCommand } from '../../../src/run-tests/run-command.js'
import { mapLimited } from '../../../src/core/fleet.js'
import {
  FIRED_MARK,
  hostileValues,
  HostileValue,
  NUL_VALUE,
  SAMPLE_NAMES
} from '../../helpers/hostile-values.js'
import {
  readCalls,
  RecordedCall,
  RECORDED_ENV,
  writeRecorders,
  writeShellShim
} from '../../../testbed/recorders.js'
import { generateKey } from '../../../testbed/keys.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'
import { shellsUnderTest, ShellUnderTest } from '../../../testbed/shells.js'
import { startSshd } from '../../../testbed/sshd.js'
import { ensureKeyLoginUser } from '../../../testbed/users.js'
import {
  Place,
  REMOTE_CASES,
  RESTORE_HINT_COVERS,
  restoreHintCases,
  RUNNER_CASES,
  SSH_SAMPLE_CASES
} from './builders.js'
import { CODE_BY_DESIGN, exportedBuilders, MODULES, NOT_BUILDERS } from './coverage.js'
import { ClientVariant, ExpectedCall, expectedCalls, withProbeDir } from './expected-calls.js'
import { MAX_ARGUMENT, refusedByExec, runInShell, ShellRun } from './harness.js'
import { execString } from './transport.js'

let work: string
let canaryDir: string
let values: HostileValue[]
let shells: ShellUnderTest[]

/**
 * runs = asData + notAsIntended + tooLongToStart + refusedByRunner (each shell's runs and the
 * runner-side ones); commands refused before sending are not run in any shell.
 */
const figures = {
  values: 0,
  builders: 0,
  shells: [] as string[],
  runs: 0,
  asData: 0,
  notAsIntended: 0,
  tooLongToStart: 0,
  refusedByRunner: 0,
  refusedBeforeSending: 0,
  sshRuns: 0,
  sshTooLongToStart: 0,
  executedAsCode: 0,
  seconds: 0
}

beforeAll(() => {
  ensurePrerequisites()
  shells = shellsUnderTest()
  work = mkdtempSync(join(tmpdir(), 'deploykit-hostile-'))
  canaryDir = join(work, 'canary')
  mkdirSync(canaryDir)
  values = hostileValues(canaryDir)
  for (const [dir, without] of [
    ['rec', []],
    ['rec-nocurl', ['curl']]
  ] as const) {
    mkdirSync(join(work, dir))
    writeRecorders(join(work, dir), without)
  }
})

afterAll(() => {
  figures.values = (values?.length ?? 0) + 1
  figures.builders = new Set(
    [...REMOTE_CASES, ...RUNNER_CASES].flatMap(c => c.covers).concat(RESTORE_HINT_COVERS)
  ).size
  figures.shells = (shells ?? []).map(s => s.name)
  console.log(`hostile input: ${JSON.stringify(figures)}`)
  if (work) rmSync(work, { recursive: true, force: true })
})

/** `<sandbox>/<n>/a/b/<value>`: deep enough that `../../x` stays inside this run's own directory. */
function placeFor(sandbox: string, n: number, v: string): Place {
  const base = join(sandbox, String(n), 'a', 'b')
  mkdirSync(base, { recursive: true })
  const appDir = `${base}/${v}`
  try {
    mkdirSync(appDir, { recursive: true })
    for (const sub of ['.deploy-kit/lock', '.deploy-kit/env', 'releases'])
      mkdirSync(`${appDir}/${sub}`, { recursive: true })
  } catch {
    // too long for a directory name: `cd` into it fails on the server as it does here
  }
  return { appDir }
}

/** Every non-directory below `dir`. */
function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) out.push(...filesUnder(path))
    else out.push(path)
  }
  return out
}

/** A call as compared: what it read as data included, and the probe's random directory by one name. */
const callKey = (c: Pick<ExpectedCall, 'program' | 'args' | 'cwd' | 'env' | 'input'>) =>
  JSON.stringify([
    c.program,
    c.args.map(withProbeDir),
    c.cwd,
    RECORDED_ENV.map(n => c.env[n] ?? null),
    c.input ?? null
  ])

interface Planned {
  run: ShellRun
  what: string
  expected: ExpectedCall[]
  /** The inner script the login shell must hand to `sh` unchanged (transport texts only). */
  wrapperEnd?: string
}

interface Mismatch {
  shell: string
  what: string
  expected: unknown
  got: unknown
}

function firedMarks(text: string): boolean {
  return text.includes(FIRED_MARK)
}

interface Plan {
  byVariant: Map<ClientVariant, Planned[]>
  /** Runs that cannot start: the text is over Linux's limit on one exec argument. */
  tooLong: Array<{ what: string; text: string }>
  creates: Set<string>
  sandbox: string
  home: string
  shim: string
  direct: string
  /** TMPDIR of the runs, where the smoke-check probe makes GNU wget's private directory. */
  tmp: string
}

/**
 * Plans every run: the transport text of each command (or the transport's
 * refusal) and what it must make the programs receive. One plan serves every
 * shell; the sandbox is put back as planned between shells.
 */
async function plan(mismatches: Mismatch[]): Promise<Plan> {
  const sandbox = join(work, 'sandbox')
  const home = join(work, 'home')
  // `sh` is the recording shim where a command runs `sh -c` itself, else the shell directly.
  const shim = join(work, 'shim')
  const direct = join(work, 'direct')
  const tmp = join(work, 'tmp')
  for (const dir of [home, shim, direct, tmp]) mkdirSync(dir)
  const byVariant = new Map<ClientVariant, Planned[]>()
  const tooLong: Plan['tooLong'] = []
  const creates = new Set<string>()
  const pathFor = (variant: ClientVariant, calls: readonly ExpectedCall[]) =>
    `${calls.some(c => c.program === 'sh') ? shim : direct}:${join(work, variant === 'curl' ? 'rec' : 'rec-nocurl')}`
  const add = (variant: ClientVariant, p: Planned) => {
    if (Buffer.byteLength(p.run.text) + 1 > MAX_ARGUMENT)
      tooLong.push({ what: p.what, text: p.run.text })
    else byVariant.set(variant, [...(byVariant.get(variant) ?? []), p])
  }
  let n = 0
  for (const [c, builder] of REMOTE_CASES.entries()) {
    const tried = builder.sample ? values.filter(v => SAMPLE_NAMES.has(v.name)) : values
    for (const value of [...tried, NUL_VALUE]) {
      const at = placeFor(sandbox, n++, value.value)
      const variant = builder.variant ?? 'curl'
      let commands: RemoteCommand[]
      try {
        commands = await builder.commands(value.value, at)
      } catch (err) {
        figures.refusedBeforeSending++
        expect([value.name, String(err)]).toEqual([NUL_VALUE.name, expect.stringMatching(/NUL/)])
        continue
      }
      for (const [i, cmd] of commands.entries()) {
        const what = `${builder.covers[0]} #${c}.${i} with ${value.name}`
        const sent = await execString(cmd)
        if ('refused' in sent) {
          // Only a NUL may stop a command here, and it must say so.
          expect([what, sent.refused]).toEqual([what, expect.stringMatching(/NUL/)])
          figures.refusedBeforeSending++
          continue
        }
        if (sent.text.includes('\0')) {
          // sshd reads the exec string as a C string and drops the connection; execve cannot take it either.
          mismatches.push({
            shell: 'any',
            what,
            expected: 'refused before sending',
            got: 'a NUL in the exec string'
          })
          figures.notAsIntended++
          continue
        }
        const expected = expectedCalls(cmd, home, variant, tmp)
        for (const f of expected.creates) creates.add(f)
        const path = pathFor(variant, expected.calls)
        // What the transport writes to the channel: secret values first, on a line of their own.
        const launch = shellLaunch(cmd, { exec: true })
        add(variant, {
          run: {
            id: String(n * 100 + i),
            text: sent.text,
            stdin: launch.stdin,
            path,
            group: String(n)
          },
          what,
          expected: expected.calls,
          wrapperEnd: path.startsWith(shim) ? launch.script : undefined
        })
      }
    }
  }
  for (const value of values) {
    const at = placeFor(sandbox, n++, value.value)
    for (const [i, { hint, equivalent }] of restoreHintCases(value.value, at).entries()) {
      const [file] = equivalent.argv.slice(4)
      const restore = { argv: equivalent.argv.slice(5), cwd: equivalent.cwd }
      const expected = [
        { program: 'gzip', args: ['-dc', file], cwd: home, env: {} },
        ...expectedCalls(restore, home, 'curl', tmp).calls
      ]
      add('curl', {
        run: { id: String(n * 100 + i), text: hint, path: pathFor('curl', expected) },
        what: `commands/backup: restoreHint #${i} with ${value.name}`,
        expected
      })
    }
  }
  return { byVariant, tooLong, creates, sandbox, home, shim, direct, tmp }
}

async function runShell(shell: ShellUnderTest, p: Plan, mismatches: Mismatch[]): Promise<void> {
  for (const dir of [p.shim, p.direct]) rmSync(dir, { recursive: true, force: true })
  mkdirSync(p.shim)
  writeShellShim(p.shim, shell.binary)
  mkdirSync(p.direct)
  symlinkSync(shell.binary, join(p.direct, 'sh'))
  for (const { what, text } of p.tooLong) {
    figures.runs++
    if (refusedByExec(shell.login, text)) figures.tooLongToStart++
    else mismatches.push({ shell: shell.name, what, expected: 'E2BIG', got: 'started' })
  }
  for (const [variant, planned] of p.byVariant) {
    const out = join(work, `out-${shell.name}-${variant}`)
    const results = await runInShell(
      {
        login: shell.login,
        home: p.home,
        out,
        extraEnv: { DK_WGET: variant === 'busybox-wget' ? 'busybox' : 'gnu', TMPDIR: p.tmp }
      },
      planned.map(q => q.run)
    )
    for (const q of planned) {
      figures.runs++
      const result = results.get(q.run.id)!
      let calls: RecordedCall[] = result.calls
      if (q.wrapperEnd !== undefined) {
        // The login shell's work: `exec sh -c '<script>'` must reach sh as exactly that script.
        const outer = calls.filter(
          c => c.program === 'sh' && c.args[1]?.startsWith("printf '%s%s\\n' ")
        )
        const delivered = outer.length === 1 && outer[0].args[1].endsWith(q.wrapperEnd)
        if (!delivered)
          mismatches.push({
            shell: shell.name,
            what: `${q.what}: exec string`,
            expected: q.wrapperEnd,
            got: outer
          })
        calls = calls.filter(c => !outer.includes(c))
      }
      const got = calls.map(callKey).sort()
      const want = q.expected.map(callKey).sort()
      const marked = firedMarks(result.output) || calls.some(c => c.args.some(firedMarks))
      if (marked) figures.executedAsCode++
      if (JSON.stringify(got) === JSON.stringify(want) && !marked) figures.asData++
      else {
        figures.notAsIntended++
        mismatches.push({
          shell: shell.name,
          what: q.what,
          expected: q.expected,
          got: { calls, output: result.output }
        })
      }
    }
    rmSync(out, { recursive: true, force: true })
  }
  // Only the redirections the scripts make may have made files, exactly those; then the sandbox is as planned again.
  const made = filesUnder(p.sandbox)
  const unexpected = made.filter(f => !p.creates.has(f))
  const missing = [...p.creates].filter(f => !made.includes(f))
  if (unexpected.length || missing.length)
    mismatches.push({
      shell: shell.name,
      what: 'files made by redirections',
      expected: { missing },
      got: { unexpected }
    })
  for (const f of made) rmSync(f)
  const leftInHome = readdirSync(p.home)
  if (leftInHome.length)
    mismatches.push({
      shell: shell.name,
      what: 'files in the login directory',
      expected: [],
      got: leftInHome
    })
}

/**
 * Runner-side builders have no shell in between: their argv goes through
 * docker() and runCommand() (@actions/exec) to execve as it is.
 */
async function runRunnerSide(mismatches: Mismatch[]): Promise<void> {
  const sandbox = join(work, 'runner')
  const out = join(work, 'runner-out')
  mkdirSync(out)
  const recorders = join(work, 'rec')
  const jobs: Array<{
    id: string
    what: string
    run: 'docker' | 'runCommand'
    argv: string[]
    env: Record<string, string>
  }> = []
  let n = 0
  for (const builder of RUNNER_CASES) {
    // No NUL here: a runner input cannot hold one (inputs are environment variables), and
    // @actions/exec never settles when spawn refuses one.
    for (const value of values) {
      const at = placeFor(sandbox, n++, value.value)
      let python = 'python3'
      try {
        symlinkSync(join(recorders, 'python3'), `${at.appDir}/python3`)
        python = `${at.appDir}/python3`
      } catch {
        // the value cannot name a directory: the interpreter is found on PATH
      }
      for (const [i, inv] of builder.invocations(value.value, at, python).entries()) {
        figures.runs++
        const env = inv.env ?? {}
        const strings = [...inv.argv, ...Object.entries(env).map(([k, e]) => `${k}=${e}`)]
        if (strings.some(a => Buffer.byteLength(a) + 1 > MAX_ARGUMENT)) {
          // execve refuses it (E2BIG): nothing starts
          figures.tooLongToStart++
          continue
        }
        const what = `${builder.covers[0]} #${i} with ${value.name}`
        jobs.push({ id: `${n}_${i}`, what, run: builder.run, argv: inv.argv, env })
      }
    }
  }
  const saved = process.env.PATH
  const write = process.stdout.write
  let results: Array<{ code: number; stderr: string }>
  try {
    process.env.PATH = recorders
    process.stdout.write = (() => true) as typeof process.stdout.write
    results = await mapLimited(jobs, 4, job => {
      const env = { ...job.env, DK_REC: join(out, `rec-${job.id}`) }
      return job.run === 'docker'
        ? runDocker(job.argv, { quiet: true, env })
        : runCommand(job.argv, { cwd: sandbox, env })
    })
  } finally {
    process.stdout.write = write
    process.env.PATH = saved
  }
  const recorded = readCalls(out)
  for (const [j, job] of jobs.entries()) {
    const calls = recorded.get(`rec-${job.id}`) ?? []
    const result = results[j]
    if (job.run === 'runCommand' && job.argv[0].includes('"')) {
      // The one name @actions/exec cannot be given: refused, and nothing runs.
      expect([job.what, calls.length, result.stderr]).toEqual([
        job.what,
        0,
        expect.stringMatching(/cannot be run/)
      ])
      figures.refusedByRunner++
      continue
    }
    const [program, ...args] = job.run === 'docker' ? ['docker', ...job.argv] : job.argv
    const want = {
      path: program.includes('/') ? program : join(recorders, program),
      args,
      cwd: job.run === 'docker' ? process.cwd() : sandbox,
      env: RECORDED_ENV.map(name => job.env[name] ?? null)
    }
    const got = calls.map(c => ({
      path: c.path,
      args: c.args,
      cwd: c.cwd,
      env: RECORDED_ENV.map(name => c.env[name] ?? null)
    }))
    const marked = calls.some(c => c.args.some(firedMarks))
    if (marked) figures.executedAsCode++
    if (got.length === 1 && JSON.stringify(got[0]) === JSON.stringify(want) && !marked)
      figures.asData++
    else {
      figures.notAsIntended++
      mismatches.push({
        shell: 'none (runner)',
        what: job.what,
        expected: want,
        got: { calls: got, ...result }
      })
    }
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : []
  )
}

/**
 * The exec-string layer for real: a sample of the values through a sample of
 * the builders, sent by SshSession to the testbed's OpenSSH server, logged in
 * as a user whose login shell is each shell in turn and whose PATH (set by
 * sshd's SetEnv) leads to that shell as `sh` and to the recorders.
 */
async function overSsh(mismatches: Mismatch[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-hostile-ssh-'))
  chmodSync(dir, 0o755)
  chmodSync(work, 0o755)
  const keys = join(dir, 'keys')
  mkdirSync(keys)
  const key = generateKey(keys, 'id')
  const users = shells.map(shell => {
    const user = `deploykit-key-${shell.name}`
    const home = ensureKeyLoginUser(user, shell.login)
    const root = join(dir, shell.name)
    const shim = join(root, 'shim')
    const records = join(root, 'records')
    mkdirSync(shim, { recursive: true })
    writeShellShim(shim, shell.binary)
    mkdirSync(records)
    const sandbox = join(root, 'sandbox')
    mkdirSync(sandbox)
    return { shell, user, home, shim, records, sandbox }
  })
  const server = await startSshd({
    address: '127.0.0.1',
    authorizedKeys: [key.publicKey],
    matchConfig: users.flatMap(u => [
      `Match User ${u.user}`,
      `  SetEnv PATH=${u.shim}:${join(work, 'rec')} DK_REC=${join(u.records, 'rec-run')}`
    ])
  })
  // sshd reads authorized_keys as the user logging in.
  chmodSync(server.dir, 0o755)
  chmodSync(join(server.dir, 'authorized_keys'), 0o644)
  const sample = values.filter(v => SAMPLE_NAMES.has(v.name))
  try {
    for (const u of users) {
      let n = 0
      const plans: Array<{ what: string; cmd: RemoteCommand; at: Place }> = []
      for (const value of sample) {
        const at = placeFor(u.sandbox, n++, value.value)
        execFileSync('chown', ['-R', u.user, join(u.sandbox, String(n - 1))])
        for (const builder of SSH_SAMPLE_CASES) {
          for (const cmd of await builder.commands(value.value, at))
            plans.push({ what: `${builder.covers[0]} with ${value.name}`, cmd, at })
        }
      }
      const settings = readConnectionSettings(
        mapInputs({
          host: `${u.user}@${server.address}:${server.port}`,
          key: key.privateKey,
          'known-hosts': server.knownHostsLine,
          'connect-retries': '0'
        })
      )
      const session = await SshSession.open(settings.targets[0], { ...settings, retryDelayMs: 100 })
      try {
        for (const { what, cmd } of plans) {
          figures.sshRuns++
          rmSync(u.records, { recursive: true, force: true })
          mkdirSync(u.records)
          execFileSync('chown', [u.user, u.records])
          const sent = await execString(cmd)
          if ('text' in sent && Buffer.byteLength(sent.text) + 1 > MAX_ARGUMENT) {
            // Too long for sshd to start (its exec of the login shell, or its packet limit, refuses
            // it, and the connection may go with it): tried once on a connection of its own.
            const alone = await SshSession.open(settings.targets[0], {
              ...settings,
              retryDelayMs: 100
            })
            const r = await alone.exec(cmd).catch((err: Error) => err)
            await alone.close()
            if ((!(r instanceof Error) && r.code === 0) || readCalls(u.records).size > 0)
              mismatches.push({
                shell: `ssh ${u.shell.name}`,
                what,
                expected: 'not started',
                got: r
              })
            else figures.sshTooLongToStart++
            continue
          }
          // Asked of the file system before the run, as the shell will find it.
          const expected = expectedCalls(cmd, u.home, 'curl', tmpdir()).calls
          const r = await session.exec(cmd)
          const calls = (readCalls(u.records).get('rec-run') ?? []).filter(
            c => !(c.program === 'sh' && c.args[1]?.startsWith("printf '%s%s\\n' "))
          )
          const same =
            JSON.stringify(calls.map(callKey).sort()) ===
            JSON.stringify(expected.map(callKey).sort())
          if (firedMarks(r.stdout + r.stderr)) figures.executedAsCode++
          if (!same)
            mismatches.push({ shell: `ssh ${u.shell.name}`, what, expected, got: { calls, r } })
        }
        // A NUL is refused before anything is sent, and the connection stays usable.
        await expect(session.exec({ argv: ['true', NUL_VALUE.value] })).rejects.toThrow(/NUL/)
        expect((await session.exec({ argv: ['docker', 'version'] })).code).toBe(0)
      } finally {
        await session.close()
      }
    }
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('hostile input through every command builder', () => {
  it('covers every exported builder of every module that builds commands, or says why not', () => {
    const src = join(process.cwd(), 'src')
    const building = sourceFiles(src)
      .filter(f =>
        /\bargv\b|RemoteCommand|execFileSync|exec\.exec|spawn\(/.test(readFileSync(f, 'utf8'))
      )
      .map(f => f.slice(src.length + 1).replace(/\.ts$/, ''))
    expect(building.filter(m => !(m in MODULES))).toEqual([])
    const covered = new Set(
      [...REMOTE_CASES, ...RUNNER_CASES].flatMap(c => c.covers).concat(RESTORE_HINT_COVERS)
    )
    const unaccounted = exportedBuilders().filter(
      b => !covered.has(b) && !(b in NOT_BUILDERS) && !(b in CODE_BY_DESIGN)
    )
    expect(unaccounted).toEqual([])
    // Names in the lists that src/ no longer exports (code-by-design notes may name a slot in brackets).
    const named = [...covered, ...Object.keys(NOT_BUILDERS), ...Object.keys(CODE_BY_DESIGN)].map(
      b => b.replace(/ \(.*\)$/, '')
    )
    expect(named.filter(b => !exportedBuilders().includes(b))).toEqual([])
  })

  it('arrives as data under dash, bash and busybox sh, and never runs', async () => {
    const started = Date.now()
    const mismatches: Mismatch[] = []
    const debug = (what: string) =>
      process.env.DK_DEBUG && process.stderr.write(`${(Date.now() - started) / 1000}s ${what}\n`)
    const planned = await plan(mismatches)
    debug('planned')
    for (const shell of shells.filter(
      s => !process.env.DK_SHELLS || process.env.DK_SHELLS.includes(s.name)
    )) {
      await runShell(shell, planned, mismatches)
      debug(shell.name)
    }
    await runRunnerSide(mismatches)
    debug('runner')
    const fired = readdirSync(canaryDir)
    figures.executedAsCode += fired.length
    figures.seconds = (Date.now() - started) / 1000
    expect(fired).toEqual([])
    if (process.env.DK_DEBUG) {
      const seen = new Set<string>()
      for (const m of mismatches) {
        const key = `${m.shell}: ${m.what.replace(/ #\d+(\.\d+)? with .*/, '')}`
        if (!seen.has(key)) process.stderr.write(`MISMATCH ${JSON.stringify(m)}\n`)
        seen.add(key)
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([])
  }, 600_000)

  it('sees a value that is read as code: canaries fire, the marker shows, argv differs', async () => {
    const dir = join(work, 'check-of-the-check')
    mkdirSync(dir)
    const byName = new Map(hostileValues(dir).map(v => [v.name, v.value]))
    for (const shell of shells) {
      const home = join(dir, `home-${shell.name}`)
      mkdirSync(home)
      const path = join(work, 'rec')
      // What a transport without quoting would send.
      const results = await runInShell(
        { login: shell.login, home, out: join(dir, `out-${shell.name}`) },
        [
          { id: '1', text: `docker x ${byName.get('SUBSHELL_CANARY')}`, path },
          { id: '2', text: `docker x ${byName.get('MARKER')}`, path }
        ]
      )
      expect(readdirSync(dir).filter(f => f === 'dollar-paren')).toEqual(['dollar-paren'])
      rmSync(join(dir, 'dollar-paren'))
      expect(results.get('2')?.calls[0].args.join(' ')).toContain(FIRED_MARK)
    }
  })

  it('arrives as data over real SSH with dash, bash and busybox as the login shell', async () => {
    const mismatches: Mismatch[] = []
    await overSsh(mismatches)
    expect(mismatches.slice(0, 5)).toEqual([])
  })
})
