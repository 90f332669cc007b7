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

function checkNames(names: readonly string[]): void {
  for (const name of names) {
    if (!isEnvName(name))
      throw new Error(`invalid environment variable name ${JSON.stringify(name)}`)
  }
}

/**
 * `export A='1' B='2' && ` — environment that travels inside the command
 * (sshd drops `env` requests by default). `&&`, so after a failed `cd` the
 * command does not run elsewhere.
 */
export function exportPrefix(env: Readonly<Record<string, string>>): string {
  const names = Object.keys(env)
  if (names.length === 0) return ''
  checkNames(names)
  return `export ${names.map(n => `${n}=${quote(env[n])}`).join(' ')} && `
}

/** Holds a newline while STDIN_ENV_READER evals the line, so that line needs no newline of its own. */
const NEWLINE_VAR = '__deploykit_nl'
const LINE_VAR = '__deploykit_env'

/**
 * Environment for the command's standard input rather than its command line,
 * where every user of the server could read it: `export A='…' B='…'` on one
 * line, each newline of a value written as `"$__deploykit_nl"`. One line, so
 * one `read` takes it whatever the values hold (quotes, `$()`, CR, 100 kB);
 * STDIN_ENV_READER reads it back.
 */
export function stdinExportLine(env: Readonly<Record<string, string>>): string {
  const names = Object.keys(env)
  if (names.length === 0) throw new Error('stdinExportLine: no environment')
  checkNames(names)
  const quoted = names.map(n => {
    if (env[n].includes('\0')) throw new Error(`the value of ${n} holds a NUL byte`)
    return `${n}=${quote(env[n]).replace(/\n/g, `'"$${NEWLINE_VAR}"'`)}`
  })
  return `export ${quoted.join(' ')}\n`
}

/**
 * Shell text that reads stdinExportLine's line and exports it. dash, bash
 * and busybox sh read a pipe byte by byte, so whatever follows the line on
 * standard input is left for the command.
 */
export const STDIN_ENV_READER =
  `${NEWLINE_VAR}='\n'; ` +
  `IFS= read -r ${LINE_VAR} || { echo 'deploy-kit: the command environment did not arrive on standard input' >&2; exit 125; }; ` +
  `eval "$${LINE_VAR}" || exit 125; unset ${LINE_VAR} ${NEWLINE_VAR}; `
