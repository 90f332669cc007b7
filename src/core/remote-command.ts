import { commandLine, exportPrefix, quote, STDIN_ENV_READER, stdinExportLine } from './shell.js'

/**
 * A command to run on a server, as data. `argv` is run as is (no shell
 * parsing of its words); a shell script is `['sh', '-c', script]`.
 */
export interface RemoteCommand {
  argv: readonly string[]
  /** Directory to run in; it must exist. */
  cwd?: string
  env?: Readonly<Record<string, string>>
  /**
   * Names in `env` whose values are secret: shown as *** in the log, and sent
   * to the server on standard input, never on a command line.
   */
  secretEnv?: readonly string[]
  /** Bytes written to the command's standard input. */
  stdin?: string | Buffer
  /** Not the run's work, so it carries no run tag: the command that looks for that work (run-tag.ts). */
  untagged?: true
}

function splitEnv(cmd: RemoteCommand): {
  plain: Record<string, string>
  secret: Record<string, string>
} {
  const hidden = new Set(cmd.secretEnv ?? [])
  const plain: Record<string, string> = {}
  const secret: Record<string, string> = {}
  for (const [name, value] of Object.entries(cmd.env ?? {}))
    (hidden.has(name) ? secret : plain)[name] = value
  return { plain, secret }
}

/**
 * The shell text that runs the command: `cd DIR && export …; argv`. With
 * `exec`, the command replaces the shell, so its exit signal reaches the caller.
 * Secret values never go into this text: see shellLaunch.
 */
export function toShell(cmd: RemoteCommand, opts: { exec?: boolean } = {}): string {
  const { plain, secret } = splitEnv(cmd)
  if (Object.keys(secret).length > 0)
    throw new Error('toShell: a command with secret env values is started with shellLaunch')
  const cd = cmd.cwd ? `cd ${quote(cmd.cwd)} && ` : ''
  return `${cd}${exportPrefix(plain)}${opts.exec ? 'exec ' : ''}${commandLine(cmd.argv)}`
}

/** How a command is started: the shell text, and the bytes for its standard input. */
export interface ShellLaunch {
  script: string
  stdin?: string | Buffer
}

/**
 * A command line is in every server user's process list (`ps`, /proc/<pid>/cmdline)
 * while it runs. So secret env values go first on standard input, one line
 * that the script reads and exports before it runs the command, which then
 * reads its own `stdin` from the rest.
 */
export function shellLaunch(cmd: RemoteCommand, opts: { exec?: boolean } = {}): ShellLaunch {
  const { plain, secret } = splitEnv(cmd)
  const script = toShell({ argv: cmd.argv, cwd: cmd.cwd, env: plain }, opts)
  if (Object.keys(secret).length === 0) return { script, stdin: cmd.stdin }
  const line = stdinExportLine(secret)
  const stdin =
    cmd.stdin === undefined
      ? line
      : typeof cmd.stdin === 'string'
        ? line + cmd.stdin
        : Buffer.concat([Buffer.from(line), cmd.stdin])
  return { script: STDIN_ENV_READER + script, stdin }
}

/** What the log shows for a command: secret env values hidden. */
export function describe(cmd: RemoteCommand): string {
  const hidden = new Set(cmd.secretEnv ?? [])
  const env = Object.fromEntries(
    Object.entries(cmd.env ?? {}).map(([k, v]) => [k, hidden.has(k) ? '***' : v])
  )
  return toShell({ argv: cmd.argv, cwd: cmd.cwd, env })
}
