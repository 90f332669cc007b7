/**
 * What a command should make the programs receive when it runs with every
 * program replaced by a recorder (exit 0, no output): the command's own argv
 * and, for the constant `sh -c SCRIPT sh ARG…` scripts of src/, the calls the
 * script makes with those arguments. The file system decides some branches
 * (`[ -e "$1" ]`, a redirection into a directory that is or is not there), so
 * the model asks the real one, before the run, as the shell will.
 */
import { statSync } from 'node:fs'
import { posix } from 'node:path'
import type { RemoteCommand } from '../../../src/core/remote-command.js'
import {
  restoreFromFileCommand,
  verifyCommand,
  writeDumpCommand
} from '../../../src/commands/backup.js'
import { PROBE_SCRIPT } from '../../../src/commands/http-probe.js'
import { dumpRecordCommand, restoreInOneTransactionCommand } from '../../../src/commands/restore.js'
import {
  checksumCommand,
  restoreAndCountCommand,
  snapshotDumpCommand
} from '../../../src/commands/restore-proof.js'
import {
  CONTINUING_RUNNER,
  ScriptRun,
  scriptCommand,
  STOPPING_RUNNER
} from '../../../src/commands/remote-script.js'
import { dockerCommands } from '../../../src/commands/docker.js'
import { fileCommands } from '../../../src/commands/files.js'
import { ancestryCommand, gitCommands } from '../../../src/commands/git.js'
import { lockCommands } from '../../../src/commands/lock.js'
import { uploadCommands } from '../../../src/commands/upload.js'
import { swarmCommands } from '../../../src/commands/swarm.js'
import { preflightCommand } from '../../../src/commands/preflight.js'
import { quote } from '../../../src/core/shell.js'
import { RECORDED_ENV } from '../../../testbed/recorders.js'

export interface ExpectedCall {
  program: string
  args: string[]
  cwd: string
  env: Record<string, string | undefined>
  /** What it reads as data (see RecordedCall.input). */
  input?: string
}

/** The probe's private directory for GNU wget, whatever name mktemp gave it. */
export const PROBE_DIR = '<probe-dir>'
const PROBE_DIR_MADE = /\/deploykit-probe\.[A-Za-z0-9]{6}(?=\/|$)/g

/** A directory `mktemp -d` made without a template, whatever name it gave it. */
export const MKTEMP_DIR = '<mktemp-dir>'
const MKTEMP_DIR_MADE = /\/tmp\.[A-Za-z0-9]{10}(?=\/|$)/g

/** A recorded argument with the random directory names mktemp gave as PROBE_DIR and MKTEMP_DIR. */
export function withProbeDir(arg: string): string {
  return arg.replace(PROBE_DIR_MADE, `/${PROBE_DIR}`).replace(MKTEMP_DIR_MADE, `/${MKTEMP_DIR}`)
}

/** Which HTTP client the server has, for the smoke-check probe script. */
export type ClientVariant = 'curl' | 'gnu-wget' | 'busybox-wget'

export interface Expected {
  calls: ExpectedCall[]
  /** Files the shell itself creates through redirections (the recorders create none). */
  creates: string[]
}

interface Place {
  cwd: string
  env: Record<string, string | undefined>
  variant: ClientVariant
  /** The command's standard input, after the transport's line of secret values. */
  stdin: string
  /** Where mktemp makes directories (the runs' TMPDIR). */
  tmpdir: string
}

function stat(path: string) {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

/** The path the kernel opens: relative to the command's directory; `..` after a directory that exists. */
function resolve(cwd: string, path: string): string {
  return posix.normalize(path.startsWith('/') ? path : `${cwd}/${path}`)
}

const isDir = (p: string) => stat(p)?.isDirectory() ?? false
const exists = (p: string) => stat(p) !== undefined
const nonEmpty = (p: string) => (stat(p)?.size ?? 0) > 0

/** Whether `> PATH` succeeds: a file there, or no entry in an existing directory. */
function canCreate(path: string): boolean {
  const s = stat(path)
  if (s) return !s.isDirectory()
  if (path.endsWith('/')) return false
  const parent = path.slice(0, path.lastIndexOf('/')) || '/'
  return isDir(parent)
}

type Call = ((program: string, ...args: string[]) => void) & {
  /** A call that reads `input` as data. */
  reading: (input: string, program: string, ...args: string[]) => void
}

type Model = (args: string[], at: Place, call: Call, creates: string[]) => void

/** What `while IFS= read -r line; do [ "$line" = "$mark" ] && return 0; text=$text$line\n; done` takes from `text`. */
function part(text: string, mark: string): { taken: string; rest: string } {
  let taken = ''
  let rest = text
  for (;;) {
    const nl = rest.indexOf('\n')
    if (nl < 0) return { taken, rest: '' } // read fails on a line without its newline: the loop ends
    const line = rest.slice(0, nl)
    rest = rest.slice(nl + 1)
    if (line === mark) return { taken, rest }
    taken += `${line}\n`
  }
}

/** The scripts by their text, taken from the builders themselves: a changed script has no model and fails. */
function scriptOf(cmd: RemoteCommand): string {
  return cmd.argv[2]
}

const OWNER = { token: '', runKey: '', runUrl: '', release: '', since: '' }

/**
 * The ssh action's case: a user script that holds the value as code would
 * (quoted, in its text) and gets it forwarded as PGPASSWORD (a variable a
 * script for psql forwards), both sent on stdin; then `cat` shows what is
 * left of stdin for the script's commands: nothing.
 */
export function forwardingScript(v: string, stop: boolean): RemoteCommand {
  const run: ScriptRun = {
    script: `ls -- "$PGPASSWORD" ${quote(v)}\ncat`,
    stop,
    shell: 'sh',
    env: { PGPASSWORD: v }
  }
  return scriptCommand(run)
}

/** What forwardingScript's script calls, under either runner. */
const forwardingModel: Model = (_args, at, call) => {
  const v = at.env.PGPASSWORD ?? ''
  call('ls', '--', v, v)
  call.reading(at.stdin, 'cat')
}

/** `token_in DIR` of the lock scripts: `sed … DIR/owner.json | head -n 1`. */
function tokenIn(dir: string, call: Call): void {
  call('sed', '-n', 's/.*"token":"\\([^"]*\\)".*/\\1/p', `${dir}/owner.json`)
  call('head', '-n', '1')
}

/** `age_of DIR`: stat (a recorder) exits 0, so the directory's own age is not asked for. */
function ageOf(dir: string, call: Call): void {
  call('stat', '-c', '%Y', `${dir}/owner.json`)
  call('date', '+%s')
}

const RESTORE_PROOF_DB = { service: '', database: 'd', user: 'u', databaseUrl: '', password: '' }
const RESTORE_PROOF_PROJECT = {
  binary: ['docker', 'compose'],
  dir: '/d',
  files: [],
  projectName: 'p'
}

const MODELS = new Map<string, Model>([
  [STOPPING_RUNNER, forwardingModel],
  [CONTINUING_RUNNER, forwardingModel],
  [
    scriptOf(gitCommands.listEntries('/d')),
    ([dir], at, call) => {
      if (isDir(resolve(at.cwd, dir))) call('ls', '-A', '--', dir)
    }
  ],
  [
    scriptOf(gitCommands.init({ url: 'r', shown: 'r' }, '/d')),
    ([dir, repository], _at, call) => {
      call('git', 'init', '-q', '--', dir)
      call('git', '-C', dir, 'remote', 'add', '--end-of-options', 'origin', repository)
    }
  ],
  [
    scriptOf(gitCommands.excludeState('/d')),
    ([dir], _at, call) => {
      // grep (a recorder) exits 0: the line counts as there, so nothing is appended.
      call('mkdir', '-p', `${dir}/.git/info`)
      call('grep', '-qxF', '/.deploy-kit/', `${dir}/.git/info/exclude`)
    }
  ],
  [
    scriptOf(lockCommands.acquire('/d', OWNER)),
    ([dir, lock], at, call, creates) => {
      call('mkdir', '-p', '--', dir)
      const where = resolve(at.cwd, lock)
      const owner = resolve(at.cwd, `${lock}/owner.json`)
      // mkdir (a recorder) makes nothing: the owner file is written where the lock directory is there already.
      for (let tries = 0; tries < 3; tries++) {
        call('mkdir', '--', lock)
        if (canCreate(owner) && !exists(owner)) {
          creates.push(owner)
          return call.reading(at.stdin, 'cat')
        }
        // The owner file was not written, and token_in (a recorder) finds no owner in it.
        tokenIn(lock, call)
        if (isDir(where)) return call('rmdir', '--', lock)
        if (exists(where)) {
          ageOf(lock, call)
          tokenIn(lock, call)
          return call('cat', `${lock}/owner.json`)
        }
      }
    }
  ],
  [
    scriptOf(lockCommands.takeOver('/d', 't', 'a')),
    ([lock, aside, seen], _at, call) => {
      call('mv', '-T', '--', lock, aside)
      // token_in prints nothing (sed is a recorder): the lock counts as the one seen only for an empty token,
      // and then it is not stale (date and stat print nothing, so its age is 0).
      tokenIn(aside, call)
      if (seen === '') ageOf(aside, call)
      call('mv', '-T', '--', aside, lock)
    }
  ],
  [
    scriptOf(lockCommands.heartbeat('/d', 't')),
    ([owner, token], _at, call) => {
      call('grep', '-qF', '--', token, owner)
      call('touch', '-c', '--', owner)
    }
  ],
  [
    scriptOf(lockCommands.release('/d', 't')),
    ([lock, aside, token], _at, call) => {
      call('grep', '-qF', '--', token, `${lock}/owner.json`)
      call('mv', '-T', '--', lock, aside)
      call('grep', '-qF', '--', token, `${aside}/owner.json`)
      call('rm', '-rf', '--', aside)
    }
  ],
  [
    scriptOf(ancestryCommand('/d', 'c', 'l')),
    ([dir, candidate, live], _at, call) => {
      // git (a recorder) exits 0 and prints nothing: a repository, both commits there.
      call('git', '-C', dir, 'rev-parse', '--is-shallow-repository')
      for (const c of [candidate, live])
        call(
          'git',
          '-C',
          dir,
          'rev-parse',
          '--verify',
          '--quiet',
          '--end-of-options',
          `${c}^{commit}`
        )
      call('git', '-C', dir, 'merge-base', '--is-ancestor', '--end-of-options', candidate, live)
      call('git', '-C', dir, 'merge-base', '--is-ancestor', '--end-of-options', live, candidate)
    }
  ],
  [
    scriptOf(preflightCommand({ appDir: '/d', minFreeKib: 0, compose: 'auto', log: '/l' })),
    ([app, , want, log], at, call) => {
      // The recorders exit 0 and print nothing: the daemon answers, the first Compose asked for
      // is there, and dirname names no directory above a missing app-dir, so the climb stops.
      call('docker', 'version', '--format', '{{.Server.Version}}')
      if (want === 'v1') call('docker-compose', 'version')
      else call('docker', 'compose', 'version')
      if (!exists(resolve(at.cwd, app))) call('dirname', '--', app)
      call('df', '-Pk', '--', app)
      call('awk', 'NR == 2 { print $4 }')
      if (exists(resolve(at.cwd, log))) call('cat', '--', log)
    }
  ],
  [
    scriptOf(dockerCommands.inspect([])),
    (ids, _at, call) => {
      call('date', '-u', '+%s')
      call('docker', 'inspect', '--', ...ids)
    }
  ],
  [
    scriptOf(fileCommands.read('/d')),
    ([path], at, call) => {
      if (exists(resolve(at.cwd, path))) call('cat', '--', path)
    }
  ],
  [
    scriptOf(fileCommands.append('/d', '')),
    ([path], at, call, creates) => {
      call('dirname', '--', path)
      call('mkdir', '-p', '--', '')
      // tail (a recorder) prints nothing: the file counts as ending with a newline.
      if (nonEmpty(resolve(at.cwd, path))) call('tail', '-c', '1', '--', path)
      if (!canCreate(resolve(at.cwd, path))) return
      creates.push(resolve(at.cwd, path))
      call.reading(at.stdin, 'cat')
      call('chmod', '600', path)
    }
  ],
  [
    scriptOf(fileCommands.writePrivate('/d', '/s', '')),
    ([path, snapshot], at, call, creates) => {
      call('dirname', '--', path)
      call('dirname', '--', snapshot)
      call('mkdir', '-p', '--', '', '')
      const backupTmp = `${path}.bak.deploykit-tmp`
      if (exists(resolve(at.cwd, path))) {
        call('rm', '-f', '--', backupTmp)
        if (!canCreate(resolve(at.cwd, backupTmp))) return // set -e: a failed redirection ends the script
        creates.push(resolve(at.cwd, backupTmp))
        call('cat', '--', path)
        call('chmod', '600', backupTmp)
        call('mv', '-f', '--', backupTmp, `${path}.bak`)
      }
      const tmp = `${path}.deploykit-tmp`
      call('rm', '-f', '--', tmp)
      if (!canCreate(resolve(at.cwd, tmp))) return
      creates.push(resolve(at.cwd, tmp))
      call.reading(at.stdin, 'cat')
      call('chmod', '600', tmp)
      call('cp', '--', tmp, snapshot)
      call('mv', '-f', '--', tmp, path)
    }
  ],
  [
    scriptOf(swarmCommands.writeStackFile('/d', '')),
    ([path], at, call, creates) => {
      call('dirname', '--', path)
      call('mkdir', '-p', '--', '')
      const tmp = `${path}.deploykit-tmp`
      call('rm', '-f', '--', tmp)
      if (!canCreate(resolve(at.cwd, tmp))) return // set -e: a failed redirection ends the script
      creates.push(resolve(at.cwd, tmp))
      call.reading(at.stdin, 'cat')
      call('chmod', '600', tmp)
      call('mv', '-f', '--', tmp, path)
    }
  ],
  [
    scriptOf(uploadCommands.unpack('/d', 'r', '/a')),
    ([release, archive], _at, call) => {
      call('mkdir', '--', release)
      call('tar', '-xzf', archive, '-C', release)
      call('rm', '-f', '--', archive)
    }
  ],
  [
    scriptOf(uploadCommands.switchCurrent('/d', 'r')),
    ([dir, release], _at, call) => {
      call('ln', '-sfn', `releases/${release}`, `${dir}/.current.tmp`)
      call('mv', '-fT', `${dir}/.current.tmp`, `${dir}/current`)
    }
  ],
  [
    scriptOf(writeDumpCommand({ argv: ['x'] }, '/f')),
    ([file, ...dump], at, call, creates) => {
      call('dirname', '--', file)
      call('mkdir', '-p', '--', '')
      expectCommandCalls(dump, at, call, creates)
      const status = resolve(at.cwd, `${file}.status`)
      if (canCreate(status)) creates.push(status)
      // gzip (a recorder) writes no dump and the status file stays empty, so the dump is refused either way.
      const part = resolve(at.cwd, `${file}.part`)
      if (canCreate(part)) {
        creates.push(part)
        call('gzip', '-c')
        call('cat', `${file}.status`)
      }
      call('rm', '-f', '--', `${file}.part`, `${file}.status`)
    }
  ],
  [
    scriptOf(verifyCommand('/f')),
    ([file, mark], at, call) => {
      call('gzip', '-t', '--', file)
      if (!nonEmpty(resolve(at.cwd, file))) return
      call('gzip', '-dc', '--', file)
      call('tail', '-c', '4096')
      call('grep', '-qF', '--', mark)
    }
  ],
  [
    scriptOf(restoreFromFileCommand({ argv: ['x'] }, '/f')),
    ([file, ...restore], at, call, creates) => {
      call('gzip', '-dc', '--', file)
      expectCommandCalls(restore, at, call, creates)
    }
  ],
  [
    scriptOf(
      restoreInOneTransactionCommand(
        { service: '', database: 'd', user: 'u', databaseUrl: '', password: '' },
        { binary: ['x'], dir: '/', files: [], projectName: 'p' },
        '/f',
        1
      )
    ),
    // gzip (a recorder) exits 0, so the failing statement for an unreadable dump is not printed.
    ([file, timeout, program, ...restore], at, call, creates) => {
      call('gzip', '-dc', '--', file)
      call('awk', '-v', `t=${timeout}`, program)
      expectCommandCalls(restore, at, call, creates)
    }
  ],
  [
    scriptOf(dumpRecordCommand('/f')),
    ([file, program], _at, call) => {
      call('gzip', '-dc', '--', file)
      call('awk', program)
    }
  ],
  [
    scriptOf(snapshotDumpCommand(RESTORE_PROOF_DB, RESTORE_PROOF_PROJECT, '/f')),
    // mkfifo is no recorder: the script stops there, before it starts a client, with the
    // clients' words still positional parameters, and cleans up (run with real clients in
    // __tests__/unit/commands/restore-proof.test.ts).
    ([file], at, call) => {
      call('dirname', '--', file)
      call('mkdir', '-p', '--', '')
      call('mktemp', '-d')
      call('rm', '-rf', '--', `${at.tmpdir}/${MKTEMP_DIR}`)
      call('rm', '-f', '--', `${file}.part`, `${file}.status`)
    }
  ],
  [
    scriptOf(restoreAndCountCommand(RESTORE_PROOF_DB, RESTORE_PROOF_PROJECT, '/f')),
    ([file, n, ...clients], at, call, creates) => {
      call('gzip', '-dc', '--', file)
      expectCommandCalls(clients.slice(0, Number(n)), at, call, creates)
      expectCommandCalls(clients.slice(Number(n)), at, call, creates)
    }
  ],
  [
    scriptOf(checksumCommand('/f')),
    ([file], _at, call) => {
      call('sha256sum', '--', file)
      call('stat', '-c', '%s', '--', file)
    }
  ],
  [
    PROBE_SCRIPT,
    ([mark, seconds, limit, curlCount, wgetCount, ...clients], at, call) => {
      const nc = Number(curlCount)
      const ng = Number(wgetCount)
      const curlPart = part(at.stdin, mark)
      if (at.variant === 'curl') {
        const [program, ...args] = clients.slice(0, nc)
        return call.reading(curlPart.taken, program, ...args)
      }
      call('wget', '--version')
      if (at.variant === 'busybox-wget') {
        const argv = clients.slice(nc + ng)
        if (limit === '') call('timeout', seconds, ...argv)
        return
      }
      const wgetrc = part(curlPart.rest, mark)
      const nl = wgetrc.rest.indexOf('\n')
      const url = nl < 0 ? wgetrc.rest : wgetrc.rest.slice(0, nl)
      const dir = `${at.tmpdir}/${PROBE_DIR}`
      call('mktemp', '-d', `${at.tmpdir}/deploykit-probe.XXXXXX`)
      call.reading(
        `${wgetrc.taken}${url}\n`,
        'timeout',
        seconds,
        ...clients.slice(nc, nc + ng),
        `--config=${dir}/wgetrc`,
        `--input-file=${dir}/url`
      )
      call('rm', '-rf', dir)
    }
  ]
])

/** The calls running `argv` makes (with its `sh -c` script's, when it is one of ours). */
function expectCommandCalls(
  argv: readonly string[],
  at: Place,
  call: Call,
  creates: string[]
): void {
  const [program, ...args] = argv
  call(program, ...args)
  if (program !== 'sh' || args[0] !== '-c') return
  const model = MODELS.get(args[1])
  if (!model)
    throw new Error(`no model of what this script runs: ${JSON.stringify(args[1].slice(0, 120))}`)
  model(args.slice(3), at, call, creates)
}

export function hasModel(script: string): boolean {
  return MODELS.has(script)
}

/**
 * Expected calls of a command run by the transport: `cd DIR` first (nothing
 * runs when it fails), its environment exported, then argv. `home` is where
 * the login shell starts.
 */
export function expectedCalls(
  cmd: RemoteCommand,
  home: string,
  variant: ClientVariant,
  tmpdir: string
): Expected {
  const calls: ExpectedCall[] = []
  const creates: string[] = []
  if (cmd.cwd !== undefined && !isDir(cmd.cwd)) return { calls, creates }
  // Secret values too: the transport exports them from its first line of stdin.
  const env = Object.fromEntries(RECORDED_ENV.map(name => [name, cmd.env?.[name]]))
  const cwd = cmd.cwd === undefined ? home : realCwd(cmd.cwd)
  const stdin = cmd.stdin === undefined ? '' : cmd.stdin.toString()
  const at: Place = { cwd, env, variant, stdin, tmpdir }
  const call: Call = Object.assign(
    (program: string, ...args: string[]) => calls.push({ program, args, cwd, env }),
    {
      reading: (input: string, program: string, ...args: string[]) =>
        calls.push({ program, args, cwd, env, input })
    }
  )
  expectCommandCalls(cmd.argv, at, call, creates)
  return { calls, creates }
}

/** The physical directory `cd -P .` reports after `cd DIR` (dash and bash resolve `..` in the text first). */
function realCwd(dir: string): string {
  const logical = posix.normalize(dir)
  // realpath of the normalized path: none of the test's directories are symlinks.
  return logical.length > 1 ? logical.replace(/\/$/, '') : logical
}
