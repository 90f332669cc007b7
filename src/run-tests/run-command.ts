import * as core from '@actions/core'
import * as exec from '@actions/exec'
import { errorMessage } from '../core/errors.js'
import { LineLog } from '../core/log.js'
import { processEnv } from '../core/process-env.js'
import { commandLine } from '../core/shell.js'

export interface CommandResult {
  code: number
  stdout: string
  stderr: string
  /** stdout and stderr in the order they arrived, as the log shows them. */
  output: string
  seconds: number
}

export interface RunOptions {
  cwd: string
  env?: Record<string, string>
  /** Turns a stdout line into what the log shows, or undefined to hide it (Go's JSON events). */
  display?: (line: string) => string | undefined
}

/**
 * @actions/exec reads its first argument as a command line: split at spaces,
 * double quotes read. The program is handed over in that syntax's quotes,
 * which hold anything but a double quote or a backslash right before the
 * closing one, and it trims the outer spaces of the last word; such names are
 * refused rather than run as something else.
 */
function execToolArgument(program: string): string {
  if (
    program === '' ||
    program.includes('"') ||
    program.endsWith('\\') ||
    program !== program.trim()
  )
    throw new Error(
      'a program name with a double quote, a trailing backslash or outer spaces cannot be run through @actions/exec'
    )
  return `"${program}"`
}

/** Runs a command on the runner from an argv, streaming its output into the log. Never throws on exit codes. */
export async function runCommand(
  argv: readonly string[],
  opts: RunOptions
): Promise<CommandResult> {
  core.info(`$ ${commandLine(argv)}`)
  const started = Date.now()
  const display = opts.display ?? ((line: string) => line)
  // The suite is the repository's own code running on the runner, like a `run:` step:
  // workflow commands its tools print (annotations from pytest or gotestsum) are meant.
  const out = new LineLog(lines => {
    for (const line of lines) {
      const shown = display(line)
      if (shown !== undefined) core.info(shown)
    }
  })
  const err = new LineLog(lines => {
    for (const line of lines) core.info(line)
  })
  let stdout = ''
  let stderr = ''
  let output = ''
  try {
    const code = await exec.exec(execToolArgument(argv[0]), argv.slice(1), {
      cwd: opts.cwd,
      env: processEnv(opts.env),
      silent: true,
      ignoreReturnCode: true,
      listeners: {
        stdout: data => {
          const text = data.toString('utf8')
          stdout += text
          output += text
          out.push(text)
        },
        stderr: data => {
          const text = data.toString('utf8')
          stderr += text
          output += text
          err.push(text)
        }
      }
    })
    return { code, stdout, stderr, output, seconds: (Date.now() - started) / 1000 }
  } catch (error) {
    // @actions/exec throws only when the program cannot be started at all.
    const message = `cannot run ${argv[0]}: ${errorMessage(error)}`
    return {
      code: 127,
      stdout,
      stderr: stderr + message,
      output: output + message,
      seconds: (Date.now() - started) / 1000
    }
  } finally {
    out.flush()
    err.flush()
  }
}
