import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { node24 } from './node24.js'

export interface ActionRun {
  code: number | null
  /** Everything the action printed (stdout then stderr), as the runner receives it. */
  output: string
  outputs: Record<string, string>
  summary: string
}

/** Parses the GITHUB_OUTPUT file format (`name=value` and `name<<DELIM` blocks). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const body: string[] = []
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i])
      out[heredoc[1]] = body.join('\n')
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=')
      out[lines[i].slice(0, at)] = lines[i].slice(at + 1)
    }
  }
  return out
}

export interface BundleRun extends ActionRun {
  /** What the action saved with `core.saveState` (the GITHUB_STATE file), for its post step. */
  state: Record<string, string>
  /** The signal that ended the action's process, if one did. */
  signal: NodeJS.Signals | null
  /** The action's own process, by then ended (what it started may still run). */
  pid?: number
}

/**
 * Runs a JavaScript action's bundle under Node 24 the way the runner does:
 * inputs as INPUT_* variables, outputs, state and summary as files, and in a
 * post step the main step's state as STATE_* variables.
 */
export async function runBundle(
  bundle: string,
  inputs: Record<string, string>,
  opts: {
    env?: NodeJS.ProcessEnv
    cwd?: string
    state?: Record<string, string>
    /** An argv that runs the node command after it (e.g. a runner without docker plugins). */
    launcher?: readonly string[]
    /**
     * Kills the action with SIGKILL once its output matches, as the runner
     * ends a cancelled step that outlived its SIGINT and SIGTERM: on Linux it
     * kills that process only (actions/runner ProcessInvoker
     * `NixKillProcessTree`), so what the action started keeps running. The
     * runner still reads GITHUB_STATE afterwards: ActionRunner processes the
     * file commands in a `finally` around the step, whose post step it
     * registered before the step started.
     */
    killWhen?: RegExp
    /**
     * Cancels the step once its output matches, as the runner cancels one
     * (GitHub's "Workflow cancellation reference"; actions/runner
     * ProcessInvoker): SIGINT to the action's process, SIGTERM if it still
     * runs 7.5 s later, then SIGKILL 2.5 s after that.
     */
    cancelWhen?: RegExp
    /** Called with each piece of output as it arrives (a benchmark times the stages by it). */
    onOutput?: (text: string) => void
  } = {}
): Promise<BundleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-action-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  const stateFile = join(dir, 'state')
  for (const file of [outputFile, summaryFile, stateFile]) writeFileSync(file, '')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_REPOSITORY: 'example/app',
    GITHUB_RUN_ID: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    ...opts.env
  }
  for (const [key, value] of Object.entries(opts.state ?? {})) env[`STATE_${key}`] = value
  for (const [key, value] of Object.entries(inputs))
    env[`INPUT_${key.replace(/ /g, '_').toUpperCase()}`] = value
  const [cmd, ...args] = [...(opts.launcher ?? []), node24(), resolve(bundle)]
  const child = spawn(cmd, args, { env, cwd: opts.cwd ?? dir })
  let output = ''
  let killed = false
  let cancelling = false
  const escalation: NodeJS.Timeout[] = []
  const take = (d: Buffer) => {
    output += d.toString()
    opts.onOutput?.(d.toString())
    if (opts.killWhen && !killed && opts.killWhen.test(output)) {
      killed = true
      child.kill('SIGKILL')
    }
    if (opts.cancelWhen && !cancelling && opts.cancelWhen.test(output)) {
      cancelling = true
      child.kill('SIGINT')
      escalation.push(setTimeout(() => child.kill('SIGTERM'), 7_500))
      escalation.push(
        setTimeout(() => {
          killed = true
          child.kill('SIGKILL')
        }, 10_000)
      )
    }
  }
  child.stdout.on('data', take)
  child.stderr.on('data', take)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(done => {
    // 'close' waits for the pipes, which a killed action's children still hold open.
    child.on('exit', (c, s) => killed && done([c, s]))
    child.on('close', (c, s) => done([c, s]))
  })
  for (const timer of escalation) clearTimeout(timer)
  if (killed) {
    child.stdout.destroy()
    child.stderr.destroy()
  }
  const result = {
    code,
    signal,
    pid: child.pid,
    output,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    state: parseOutputs(readFileSync(stateFile, 'utf8'))
  }
  rmSync(dir, { recursive: true, force: true })
  return result
}

/** Runs dist/<name>/index.js, the bundle of one of deploy-kit's actions. */
export async function runAction(
  name: string,
  inputs: Record<string, string>,
  opts: {
    env?: NodeJS.ProcessEnv
    cwd?: string
    launcher?: readonly string[]
    onOutput?: (text: string) => void
  } = {}
): Promise<ActionRun> {
  const { code, output, outputs, summary } = await runBundle(
    join('dist', name, 'index.js'),
    inputs,
    opts
  )
  return { code, output, outputs, summary }
}
