import { readFileSync } from 'node:fs'
import { RESERVED_ENV_NAMES } from '../commands/remote-script.js'
import { ConnectionSettings, readConnectionSettings } from '../core/connection-settings.js'
import { InputError } from '../core/errors.js'
import { InputReader, readBoolean, readDuration } from '../core/inputs.js'
import { isEnvName } from '../core/shell.js'

export interface SshSettings {
  connection: ConnectionSettings
  script: string
  /** Where the script came from, for the log: `script` or the script-path file. */
  scriptSource: string
  stop: boolean
  shell: string
  /** Forwarded runner variables, in the order `envs` names them. */
  env: Record<string, string>
  capture: boolean
  /** How long the script may run on each host; 0 = no limit. */
  timeoutMs: number
}

function readScript(read: InputReader): { script: string; source: string } {
  const inline = read('script', { keepWhitespace: true })
  const path = read('script-path')
  if (inline.trim() && path)
    throw new InputError('script', 'is set together with script-path', 'Give only one of them')
  if (path) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (err) {
      throw new InputError(
        'script-path',
        `cannot read ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code})`,
        'Give a file on the runner, relative to the workspace (check it out first)'
      )
    }
    if (!text.trim()) throw new InputError('script-path', `${JSON.stringify(path)} is empty`)
    if (text.includes('\0'))
      throw new InputError(
        'script-path',
        `${JSON.stringify(path)} holds a NUL byte: is it a script?`
      )
    return { script: text, source: path }
  }
  if (!inline.trim()) {
    throw new InputError(
      'script',
      'is empty, and so is script-path',
      'Give the commands to run in script, or a script file on the runner in script-path'
    )
  }
  if (inline.includes('\0')) throw new InputError('script', 'holds a NUL byte')
  return { script: inline, source: 'script' }
}

/**
 * `envs: A,B` (commas or newlines): each a variable of the step's environment
 * (`env:` on the step), read here, on the runner. One that is not set is an
 * error, not an empty value: a misspelt name would otherwise pass silently.
 */
function readEnvs(read: InputReader, environment: NodeJS.ProcessEnv): Record<string, string> {
  const names = read('envs')
    .split(/[,\n]/)
    .map(n => n.trim())
    .filter(Boolean)
  const env: Record<string, string> = {}
  for (const name of names) {
    if (!isEnvName(name))
      throw new InputError(
        'envs',
        `${JSON.stringify(name)} is not a variable name`,
        'Give names like APP_ENV, separated by commas'
      )
    if (RESERVED_ENV_NAMES.includes(name))
      throw new InputError(
        'envs',
        `${name} is a name the action uses itself`,
        'Forward the value under another name'
      )
    const value = environment[name]
    if (value === undefined) {
      throw new InputError(
        'envs',
        `${name} is not set in the step's environment`,
        `Set it with env: on the step (e.g. ${name}: \${{ secrets.${name} }}) or remove it from envs`
      )
    }
    if (value.includes('\0')) throw new InputError('envs', `the value of ${name} holds a NUL byte`)
    env[name] = value
  }
  return env
}

export function readSshSettings(
  read: InputReader,
  environment: NodeJS.ProcessEnv = process.env
): SshSettings {
  const connection = readConnectionSettings(read)
  const { script, source } = readScript(read)
  const shell = read('shell') || 'sh'
  if (!/^[A-Za-z0-9_./+-]+$/.test(shell) || shell.startsWith('-'))
    throw new InputError(
      'shell',
      `${JSON.stringify(shell)} is not a shell name or path`,
      'For example: sh, bash or /bin/bash'
    )
  return {
    connection,
    script,
    scriptSource: source,
    stop: readBoolean(read, 'script-stop', true),
    shell,
    env: readEnvs(read, environment),
    capture: readBoolean(read, 'capture', false),
    timeoutMs: read('timeout') ? readDuration(read, 'timeout', 0) : connection.commandTimeoutMs
  }
}
