/**
 * The one place where argv becomes a shell string. Every remote command is
 * built as an argv array and quoted here, so user input is never interpreted
 * by the server's shell.
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

/**
 * Quotes one argument for a POSIX shell. A NUL has no quoting: sshd reads the
 * exec string as a C string (and drops the connection), and no argv can hold
 * one, so it is refused here, before anything is sent. The value is not
 * shown: it may be a secret.
 */
export function quote(arg: string): string {
  if (arg.includes('\0'))
    throw new Error('a command cannot carry a NUL character; nothing was sent')
  if (arg === '') return "''"
  if (SAFE.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

/** Joins argv into a shell command line with every argument quoted. */
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('commandLine: empty argv')
  return argv.map(quote).join(' ')
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name)
}

/** `export A='1' B='2'; ` — environment that travels inside the command (sshd drops `env` requests by default). */
export function exportPrefix(env: Readonly<Record<string, string>>): string {
  const names = Object.keys(env)
  if (names.length === 0) return ''
  for (const name of names) {
    if (!isEnvName(name))
      throw new Error(`invalid environment variable name ${JSON.stringify(name)}`)
  }
  return `export ${names.map(n => `${n}=${quote(env[n])}`).join(' ')}; `
}
