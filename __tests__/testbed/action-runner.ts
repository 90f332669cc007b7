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

/**
 * Runs a bundled action (dist/<name>/index.js) under Node 24 the way the
 * runner does: inputs as INPUT_* variables, outputs and summary as files.
 */
export async function runAction(
  name: string,
  inputs: Record<string, string>,
  opts: {
    env?: NodeJS.ProcessEnv
    cwd?: string
    /** An argv that runs the node command after it (e.g. a runner without docker plugins). */
    launcher?: readonly string[]
  } = {}
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-action-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_REPOSITORY: 'example/app',
    GITHUB_RUN_ID: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    ...opts.env
  }
  for (const [key, value] of Object.entries(inputs)) env[`INPUT_${key.toUpperCase()}`] = value
  const [cmd, ...args] = [...(opts.launcher ?? []), node24(), resolve('dist', name, 'index.js')]
  const child = spawn(cmd, args, { env, cwd: opts.cwd ?? dir })
  let output = ''
  child.stdout.on('data', d => (output += d))
  child.stderr.on('data', d => (output += d))
  const code = await new Promise<number | null>(done => child.on('close', c => done(c)))
  const result = {
    code,
    output,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8')
  }
  rmSync(dir, { recursive: true, force: true })
  return result
}
