import { commandLine, exportPrefix, quote } from './shell.js'

/**
 * A command to run on a server, as data. `argv` is run as is (no shell
 * parsing of its words); a shell script is `['sh', '-c', script]`.
 */
export interface RemoteCommand {
  argv: readonly string[]
  /** Directory to run in; it must exist. */
  cwd?: string
  env?: Readonly<Record<string, string>>
  /** Names in `env` whose values are secret: shown as *** in the log. */
  secretEnv?: readonly string[]
  /** Bytes written to the command's standard input. */
  stdin?: string | Buffer
}

/**
 * The shell text that runs the command: `cd DIR && export …; argv`. With
 * `exec`, the command replaces the shell, so its exit signal reaches the caller.
 */
export function toShell(cmd: RemoteCommand, opts: { exec?: boolean } = {}): string {
  const cd = cmd.cwd ? `cd ${quote(cmd.cwd)} && ` : ''
  return `${cd}${exportPrefix(cmd.env ?? {})}${opts.exec ? 'exec ' : ''}${commandLine(cmd.argv)}`
}

/** What the log shows for a command: secret env values hidden. */
export function describe(cmd: RemoteCommand): string {
  const hidden = new Set(cmd.secretEnv ?? [])
  const env = Object.fromEntries(
    Object.entries(cmd.env ?? {}).map(([k, v]) => [k, hidden.has(k) ? '***' : v])
  )
  return toShell({ argv: cmd.argv, cwd: cmd.cwd, env })
}

export function shellScript(
  script: string,
  extra: Omit<RemoteCommand, 'argv'> = {}
): RemoteCommand {
  return { ...extra, argv: ['sh', '-c', script] }
}
