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
  dumpCommand,
  restoreCommand,
  restoreFromFileCommand,
  verifyCommand,
  writeDumpCommand
} from '../../../src/migrate/backup.js'
import { PROBE_SCRIPT } from '../../../src/smoke-check/http-probe-commands.js'
import { gitCommands } from '../../../src/ssh-deploy/git-source.js'
import { lockCommands } from '../../../src/ssh-deploy/lock.js'
import { fileCommands } from '../../../src/ssh-deploy/remote-files.js'
import { uploadCommands } from '../../../src/ssh-deploy/upload-source.js'
import { RECORDED_ENV } from '../../testbed/recorders.js'

export interface ExpectedCall {
  program: string
  args: string[]
  cwd: string
  env: Record<string, string | undefined>
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

type Model = (
  args: string[],
  at: Place,
  call: (program: string, ...args: string[]) => void,
  creates: string[]
) => void

/** The scripts by their text, taken from the builders themselves: a changed script has no model and fails. */
function scriptOf(cmd: RemoteCommand): string {
  return cmd.argv[2]
}

const DUMMY_BACKUP = { service: '', database: 'd', user: 'u', databaseUrl: 'x', dir: '/d', keep: 1 }
const DUMMY_PROJECT = { binary: ['docker', 'compose'], dir: '/d', files: [], projectName: 'p' }

const MODELS = new Map<string, Model>([
  [
    scriptOf(gitCommands.listEntries('/d')),
    ([dir], at, call) => {
      if (isDir(resolve(at.cwd, dir))) call('ls', '-A', '--', dir)
    }
  ],
  [
    scriptOf(gitCommands.init('r', '/d')),
    ([dir, repository], _at, call) => {
      call('git', 'init', '-q', '--', dir)
      call('git', '-C', dir, 'remote', 'add', 'origin', repository)
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
    scriptOf(lockCommands.create('/d')),
    ([dir, lock], _at, call) => {
      call('mkdir', '-p', '--', dir)
      call('mkdir', '--', lock)
    }
  ],
  [
    scriptOf(
      lockCommands.writeOwner('/d', { token: '', runKey: '', runUrl: '', release: '', since: '' })
    ),
    ([owner], at, call, creates) => {
      if (!canCreate(resolve(at.cwd, owner))) return
      creates.push(resolve(at.cwd, owner))
      call('cat')
    }
  ],
  [
    scriptOf(lockCommands.inspect('/d')),
    ([, owner], _at, call) => {
      // stat (a recorder) exits 0, so the lock directory's own age is not asked for.
      call('cat', owner)
      call('stat', '-c', '%Y', owner)
      call('date', '+%s')
    }
  ],
  [
    scriptOf(lockCommands.heartbeat('/d', 't')),
    ([owner, token], _at, call) => {
      call('grep', '-qF', '--', token, owner)
      call('touch', '--', owner)
    }
  ],
  [
    scriptOf(lockCommands.release('/d', 't')),
    ([lock, owner, token], _at, call) => {
      call('grep', '-qF', '--', token, owner)
      call('rm', '-rf', '--', lock)
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
      if (!canCreate(resolve(at.cwd, path))) return
      creates.push(resolve(at.cwd, path))
      call('cat')
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
      call('cat')
      call('chmod', '600', tmp)
      call('cp', '--', tmp, snapshot)
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
    scriptOf(dumpCommand(DUMMY_BACKUP, DUMMY_PROJECT)),
    (options, at, call) => call('pg_dump', ...options, `--dbname=${at.env.DATABASE_URL ?? ''}`)
  ],
  [
    scriptOf(restoreCommand(DUMMY_BACKUP, DUMMY_PROJECT)),
    (options, at, call) => call('psql', ...options, `--dbname=${at.env.DATABASE_URL ?? ''}`)
  ],
  [
    PROBE_SCRIPT,
    ([, seconds, curlCount, wgetCount, ...clients], at, call) => {
      const nc = Number(curlCount)
      const ng = Number(wgetCount)
      if (at.variant === 'curl') return call(...(clients.slice(0, nc) as [string, ...string[]]))
      call('wget', '--version')
      const argv = at.variant === 'gnu-wget' ? clients.slice(nc, nc + ng) : clients.slice(nc + ng)
      if (argv.length > 0) call('timeout', seconds, ...argv)
    }
  ]
])

/** The calls running `argv` makes (with its `sh -c` script's, when it is one of ours). */
function expectCommandCalls(
  argv: readonly string[],
  at: Place,
  call: (program: string, ...args: string[]) => void,
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
export function expectedCalls(cmd: RemoteCommand, home: string, variant: ClientVariant): Expected {
  const calls: ExpectedCall[] = []
  const creates: string[] = []
  if (cmd.cwd !== undefined && !isDir(cmd.cwd)) return { calls, creates }
  const env = Object.fromEntries(RECORDED_ENV.map(name => [name, cmd.env?.[name]]))
  const cwd = cmd.cwd === undefined ? home : realCwd(cmd.cwd)
  const at: Place = { cwd, env, variant }
  expectCommandCalls(
    cmd.argv,
    at,
    (program, ...args) => calls.push({ program, args, cwd, env }),
    creates
  )
  return { calls, creates }
}

/** The physical directory `cd -P .` reports after `cd DIR` (dash and bash resolve `..` in the text first). */
function realCwd(dir: string): string {
  const logical = posix.normalize(dir)
  // realpath of the normalized path: none of the test's directories are symlinks.
  return logical.length > 1 ? logical.replace(/\/$/, '') : logical
}
