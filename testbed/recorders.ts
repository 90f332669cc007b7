/**
 * Stand-ins for the programs deploy-kit's commands call (docker, git, mkdir,
 * curl, pg_dump, …): each writes the argv it was given, NUL-separated, and
 * exits 0 without doing anything (mktemp, after recording, makes its directory). What the shells hand to a program is then
 * read back byte for byte, and nothing the commands name is really run.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** One call of a program as a recorder saw it. */
export interface RecordedCall {
  /** Its name, and the path it was started as. */
  program: string
  path: string
  args: string[]
  /** Physical working directory. */
  cwd: string
  /** The recorded environment variables; undefined when unset. */
  env: Record<string, string | undefined>
  /**
   * What the call reads as data rather than from argv: its standard input
   * for `cat` without arguments and `curl … --config -`, else the files its
   * `--config=FILE` and `--input-file=FILE` arguments name (GNU wget's, also through `timeout`);
   * undefined for other calls.
   */
  input?: string
}

/** Every program a command of src/ runs on a server, or that a runner-side command runs. */
export const RECORDED_PROGRAMS = [
  'docker',
  'docker-compose',
  'git',
  'test',
  'mkdir',
  'mv',
  'rm',
  'ls',
  'readlink',
  'cat',
  'grep',
  'touch',
  'stat',
  'sha256sum',
  'date',
  'dirname',
  'chmod',
  'cp',
  'gzip',
  'tail',
  'tar',
  'ln',
  'curl',
  'wget',
  'timeout',
  'pg_dump',
  'psql',
  'python',
  'python3',
  'alembic',
  'go',
  'npm',
  'pnpm',
  'yarn',
  'kill',
  'sleep',
  'sed',
  'head',
  'mktemp',
  'df',
  'awk',
  'tr',
  'cut'
]

/**
 * Environment variables commands set (pytest's options; the secret values the
 * transport sends on stdin: the database password, git's credentials); recorded on every call.
 */
export const RECORDED_ENV = [
  'PYTEST_ADDOPTS',
  'PGPASSWORD',
  'GIT_TERMINAL_PROMPT',
  'DEPLOYKIT_GIT_USERNAME',
  'DEPLOYKIT_GIT_PASSWORD',
  'DOCKER_CONFIG'
]

/**
 * The recording part of every stand-in. Each process appends to a file named
 * by its own pid, so the calls of a pipeline, which run at once, never
 * interleave; an exec keeps the pid and appends after its caller's record.
 */
function recordLines(): string[] {
  return [
    'cd -P . 2>/dev/null',
    ...RECORDED_ENV.map(
      (name, i) => `if [ "\${${name}+set}" ]; then e${i}="=\${${name}}"; else e${i}=-; fi`
    ),
    // The programs on PATH are recorders too: the reading is done by /bin/cat.
    'in=- last= files=',
    'for a do last=$a; case ${0##*/}:$a in wget:--config=*|wget:--input-file=*|timeout:--config=*|timeout:--input-file=*) files=1;; esac; done',
    'if { [ "${0##*/}" = cat ] && [ $# -eq 0 ]; } || { [ "${0##*/}" = curl ] && [ "$last" = - ]; }; then',
    '  in="=$(/bin/cat; echo .)"; in=${in%.}',
    'elif [ -n "$files" ]; then',
    '  in="=$(for a do case $a in --config=*|--input-file=*) /bin/cat -- "${a#*=}";; esac; done; echo .)"; in=${in%.}',
    'fi',
    `printf '%s\\0' "$#" "$PWD" "$0" "$@" ${RECORDED_ENV.map((_, i) => `"$e${i}"`).join(' ')} "$in" >>"$DK_REC.$$"`
  ]
}

/**
 * Writes the recorders into `dir`: one dash script and a symlink per program.
 * `without` leaves some out (a server without curl). With DK_WGET=busybox in
 * the environment, `wget --version` fails as busybox's wget does.
 */
export function writeRecorders(dir: string, without: readonly string[] = []): void {
  const script = join(dir, '.recorder')
  writeFileSync(
    script,
    [
      '#!/bin/dash',
      ...recordLines(),
      'if [ "${0##*/} $*" = "wget --version" ] && [ "${DK_WGET-}" = busybox ]; then exit 1; fi',
      // The probe writes GNU wget's private files into the directory it is given.
      'if [ "${0##*/}" = mktemp ]; then exec /usr/bin/mktemp "$@"; fi',
      'exit 0',
      ''
    ].join('\n'),
    { mode: 0o755 }
  )
  for (const name of RECORDED_PROGRAMS) {
    if (!without.includes(name)) symlinkSync(script, join(dir, name))
  }
}

/**
 * `sh` for the PATH: records its argv, then becomes the real shell through a
 * symlink named sh (so bash runs in POSIX mode, as it does as a server's sh).
 */
export function writeShellShim(dir: string, realShell: string): void {
  const real = join(dir, 'real')
  mkdirSync(real)
  symlinkSync(realShell, join(real, 'sh'))
  writeFileSync(
    join(dir, 'sh'),
    ['#!/bin/dash', ...recordLines(), `exec ${real}/sh "$@"`, ''].join('\n'),
    { mode: 0o755 }
  )
}

/** Parses one record file (the calls of one process, in order). */
function parseFile(text: string): RecordedCall[] {
  const fields = text.split('\0')
  fields.pop() // after the last NUL
  const calls: RecordedCall[] = []
  let at = 0
  while (at < fields.length) {
    const argc = Number(fields[at])
    if (!Number.isInteger(argc)) throw new Error(`bad record field ${JSON.stringify(fields[at])}`)
    const cwd = fields[at + 1]
    const path = fields[at + 2]
    const args = fields.slice(at + 3, at + 3 + argc)
    at += 3 + argc
    const env: Record<string, string | undefined> = {}
    for (const name of RECORDED_ENV) {
      const field = fields[at++]
      env[name] = field === '-' ? undefined : field.slice(1)
    }
    const input = fields[at++]
    calls.push({
      program: path.slice(path.lastIndexOf('/') + 1),
      path,
      args,
      cwd,
      env,
      ...(input === '-' ? {} : { input: input.slice(1) })
    })
  }
  return calls
}

/** Every call recorded in `dir`, by the record name a run was given (DK_REC's last part). */
export function readCalls(dir: string, only?: string): Map<string, RecordedCall[]> {
  const byRun = new Map<string, RecordedCall[]>()
  for (const file of readdirSync(dir)) {
    if (only && !file.startsWith(`${only}.`)) continue
    const m = /^(rec-[^.]+)\.\d+$/.exec(file)
    if (!m) continue
    const calls = parseFile(readFileSync(join(dir, file), 'utf8'))
    byRun.set(m[1], [...(byRun.get(m[1]) ?? []), ...calls])
  }
  return byRun
}
