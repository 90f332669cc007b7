import { spawn } from 'node:child_process'

export interface RunOptions {
  input?: string
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Kills the command with SIGKILL after this long; a hung daemon must not hang the suite. */
  timeoutMs?: number
}

export interface RunResult {
  /** The exit code, or -1 when the command was killed by a signal or could not be started. */
  code: number
  stdout: string
  stderr: string
}

/** Runs a command from an argv (never through a shell) and collects its output. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise(resolve => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
      killSignal: 'SIGKILL'
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', chunk => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk))
    // A missing binary is reported like a failed command, so callers need only one error path.
    child.on('error', err => resolve({ code: -1, stdout, stderr: stderr + String(err) }))
    child.on('close', (code, signal) => {
      if (signal) stderr += `\n(killed by ${signal})`
      resolve({ code: code ?? -1, stdout, stderr })
    })
    // The command may exit without reading its input; that is its business, not an error here.
    child.stdin.on('error', () => {})
    child.stdin.end(opts.input ?? '')
  })
}

/** The last few lines of a command's output, enough to explain a failure without flooding it. */
export function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

/** Like `run`, but throws when the exit code is not 0. */
export async function runChecked(
  cmd: string,
  args: string[],
  opts: RunOptions = {}
): Promise<RunResult> {
  const result = await run(cmd, args, opts)
  if (result.code !== 0) {
    throw new Error(
      `${[cmd, ...args].join(' ')} exited with code ${result.code}:\n${tail(result.stderr)}`
    )
  }
  return result
}

const POLL_INTERVAL_MS = 200

/** Polls `check` until it returns true; a check that throws counts as "not yet". */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}`)
    }
    await new Promise(resolve => setTimeout(resolve, POLL_INTERVAL_MS))
  }
}
