import type { RemoteCommand } from '../core/remote-command.js'
import { isEnvName } from '../core/shell.js'

/**
 * Holds the user's script on its way in. Like every forwarded variable it is
 * a secret env value: the transport sends it on standard input, so neither
 * the script (which may hold secrets a workflow wrote into it) nor a
 * forwarded value is ever on a command line in the server's process list.
 */
export const SCRIPT_VAR = 'DEPLOYKIT_SCRIPT'

/** Names the scripts below use themselves; a forwarded variable may not take them. */
export const RESERVED_ENV_NAMES: readonly string[] = [SCRIPT_VAR, '__deploykit_script']

/**
 * Runs the script in this shell with eval, after moving it out of the
 * environment: the commands it starts do not inherit it. eval, not `sh -c
 * "$script"`, which would put the script in that shell's argv.
 */
const EVAL = `__deploykit_script=$${SCRIPT_VAR}; unset ${SCRIPT_VAR}; `

/** `set -eu` first: the first failing command (or unset variable) ends the script with its code. */
export const STOPPING_RUNNER = `${EVAL}set -eu; eval "$__deploykit_script"`

/** As a plain ssh session runs a script: it goes on after a failure, and exits as its last command. */
export const CONTINUING_RUNNER = `${EVAL}eval "$__deploykit_script"`

export interface ScriptRun {
  script: string
  /** Stop at the first failing command (`set -eu`). */
  stop: boolean
  /** The shell on the server that runs it: `sh` or e.g. `bash`, a name or a path. */
  shell: string
  /** Runner environment variables handed to the script. */
  env: Readonly<Record<string, string>>
}

/** The user's script as a command: `SHELL -c RUNNER SHELL`, the script and its env on stdin. */
export function scriptCommand(run: ScriptRun): RemoteCommand {
  for (const name of Object.keys(run.env)) {
    if (!isEnvName(name) || RESERVED_ENV_NAMES.includes(name))
      throw new Error(`${JSON.stringify(name)} cannot be forwarded to the script`)
  }
  const env = { ...run.env, [SCRIPT_VAR]: run.script }
  return {
    argv: [run.shell, '-c', run.stop ? STOPPING_RUNNER : CONTINUING_RUNNER, run.shell],
    env,
    secretEnv: Object.keys(env)
  }
}
