/**
 * Runs transport texts through a real shell as sshd has it done: the login
 * shell reads the text, with the command's stdin, in the user's home, PATH
 * leading to the recorders. To run thousands without starting a login shell
 * for each, one login shell process takes a batch of texts as its arguments
 * (so nothing but that shell ever parses them) and reads each with its own
 * parser, `eval`, in a fresh subshell with no positional parameters: what
 * `<login shell> -c TEXT` does, without the exec. The text's own `exec sh -c`
 * then starts the `sh` on PATH as on a server.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readCalls, RecordedCall } from '../../../testbed/recorders.js'

/** Linux's limit on one exec argument (MAX_ARG_STRLEN), NUL included; sshd hits it too. */
export const MAX_ARGUMENT = 32 * 4096

export interface ShellRun {
  id: string
  text: string
  stdin?: string | Buffer
  /** PATH for this run. */
  path: string
  /**
   * Runs of one group share directories (one builder's commands with one
   * value) and run in order, in one chunk: chunks run two at a time.
   */
  group?: string
}

export interface ShellRunResult {
  calls: RecordedCall[]
  /** stdout and stderr together. */
  output: string
  code: number
}

const SEPARATOR = `--deploykit-run-end-${Math.random().toString(36).slice(2)}--`

const DRIVER = [
  'out=$1; shift',
  'while [ $# -gt 0 ]; do',
  '  id=$1 input=$2 path=$3 text=$4; shift 4',
  '  (PATH=$path DK_REC="$out/rec-$id"; export PATH DK_REC; set --; eval "$text") <"$input" >"$out/$id.out" 2>&1',
  `  printf '\\n%s%s\\n' "$DK_SEP" "$?" >>"$out/$id.out"`,
  'done'
].join('\n')

export interface ShellPlace {
  login: string
  home: string
  out: string
  extraEnv?: Record<string, string>
}

function runDriver(place: ShellPlace, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(place.login, ['-c', DRIVER, 'driver', place.out, ...args], {
      cwd: place.home,
      env: {
        PATH: '/usr/bin:/bin',
        HOME: place.home,
        LANG: 'C.UTF-8',
        DK_SEP: SEPARATOR,
        ...place.extraEnv
      },
      stdio: ['ignore', 'ignore', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', d => (stderr += d))
    child.on('error', reject)
    child.on('close', code =>
      code === 0 ? resolve() : reject(new Error(`driver exited ${code}: ${stderr}`))
    )
  })
}

/** Runs every text (each shorter than MAX_ARGUMENT) and reads back what each did. */
export async function runInShell(
  place: ShellPlace,
  runs: readonly ShellRun[]
): Promise<Map<string, ShellRunResult>> {
  mkdirSync(place.out, { recursive: true })
  const chunks: string[][] = [[]]
  let bytes = 0
  let group: string | undefined
  for (const run of runs) {
    let input = '/dev/null'
    if (run.stdin !== undefined) {
      input = join(place.out, `${run.id}.in`)
      writeFileSync(input, run.stdin)
    }
    const size = Buffer.byteLength(run.text) + input.length + run.path.length + 64
    const sameGroup = run.group !== undefined && run.group === group
    group = run.group
    if (!sameGroup && (bytes + size > 400_000 || chunks[chunks.length - 1].length >= 1200)) {
      chunks.push([])
      bytes = 0
    }
    chunks[chunks.length - 1].push(run.id, input, run.path, run.text)
    bytes += size
  }
  // Two at a time: the machine's two cores. Each run has directories of its own.
  const pending = chunks.filter(c => c.length)
  await Promise.all(
    [0, 1].map(async () => {
      for (let chunk = pending.shift(); chunk; chunk = pending.shift())
        await runDriver(place, chunk)
    })
  )
  const calls = readCalls(place.out)
  const results = new Map<string, ShellRunResult>()
  for (const run of runs) {
    const raw = readFileSync(join(place.out, `${run.id}.out`), 'utf8')
    const at = raw.lastIndexOf(`\n${SEPARATOR}`)
    results.set(run.id, {
      calls: calls.get(`rec-${run.id}`) ?? [],
      output: raw.slice(0, at),
      code: Number(raw.slice(at + SEPARATOR.length + 1).trim())
    })
  }
  return results
}

/** A text over the limit cannot even start the login shell: checked for real. */
export function refusedByExec(login: string, text: string): boolean {
  const r = spawnSync(login, ['-c', text], { stdio: 'ignore' })
  return (r.error as NodeJS.ErrnoException | undefined)?.code === 'E2BIG'
}
