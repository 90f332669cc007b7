/**
 * Values a user (or whoever can write to a server's release log) could put
 * where a command carries text: every way a POSIX shell, a program's option
 * parser or the runner's log could read text as something other than data.
 *
 * Canaries leave evidence when executed: a file in `canaryDir` (made with
 * the shell's own redirection or an absolute path, so they fire even with
 * nothing on PATH), or the word FIRED_MARK on an output, built by the
 * executed code from pieces so the text of the value never contains it.
 */
import { HOSTILE_VALUES, PEM_KEY } from './hostile-env-values.js'

/** What an executed `printf %s%s DK FIRED` prints; no value contains it as text. */
export const FIRED_MARK = 'DKFIRED'

export interface HostileValue {
  name: string
  value: string
}

/** 100 kB: hex filler around canaries, so a cut or re-parse anywhere inside shows. */
function longValue(canaryDir: string): string {
  const filler = '0123456789abcdef'.repeat(3125)
  return `${filler}$(: >${canaryDir}/long-start)${filler}; : >${canaryDir}/long-end`
}

const SHELL_RELEVANT = new Set([
  'BRACED_DEFAULT',
  'DOUBLE_QUOTES',
  'SINGLE_QUOTES',
  'SHELL_QUOTE',
  'TRAILING_BACKSLASH',
  'SPACES',
  'NON_ASCII'
])

export function hostileValues(canaryDir: string): HostileValue[] {
  const c = canaryDir
  const own: Array<[string, string]> = [
    ['EMPTY', ''],
    ['SPACE', ' '],
    ['SUBSHELL_CANARY', `$(: >${c}/dollar-paren)`],
    ['BACKTICK_CANARY', `\`: >${c}/backtick\``],
    ['BRACED_ASSIGN_CANARY', `\${x:=$(: >${c}/braced-assign)}`],
    ['SEMICOLON_CANARY', `x; : >${c}/semicolon`],
    ['AND_CANARY', `x && : >${c}/and`],
    ['OR_CANARY', `x || : >${c}/or`],
    ['PIPE_CANARY', `x | /bin/touch ${c}/pipe`],
    ['BACKGROUND_CANARY', `x & : >${c}/background`],
    ['SINGLE_QUOTE_BREAKOUT', `'; : >${c}/single-quote; '`],
    ['DOUBLE_QUOTE_BREAKOUT', `"; : >${c}/double-quote; "`],
    ['QUOTE_ESCAPE_BREAKOUT', `'\\''; : >${c}/quote-escape; '\\''`],
    ['BACKSLASH_QUOTE_BREAKOUT', `\\'; : >${c}/backslash-quote; \\'`],
    ['NEWLINE_CANARY', `x\n: >${c}/newline`],
    ['CR_CANARY', `x\r: >${c}/carriage-return`],
    ['TAB', 'a\tb'],
    ['MARKER', `$(printf %s%s DK FIRED)`],
    ['PROCESS_SUBSTITUTION', `<(: >${c}/process-substitution)`],
    ['REDIRECT_CANARY', `>${c}/redirect`],
    ['DASH', '-'],
    ['DOUBLE_DASH', '--'],
    ['OPTION', '-rf'],
    ['LONG_OPTION', '--help'],
    ['UPLOAD_PACK', `--upload-pack=: >${c}/upload-pack`],
    ['STAR', '*'],
    ['QUESTION', '?'],
    ['BRACKET', '[a]'],
    ['ROOT_GLOB', '/*'],
    ['BRACES', '{a,b}'],
    ['TILDE', '~'],
    ['POSITIONAL', '$0 $1 $@ $* $# $$ $? $- "$@"'],
    ['HISTORY', '!! !$ a!b'],
    ['PERCENT', '%s%n%% 100%'],
    ['ADD_MASK', '::add-mask::secret'],
    ['WORKFLOW_COMMAND_LINE', 'x\n::error::forged\n::stop-commands::tok'],
    ['PID_MARK_LOOKALIKE', '\u001eDEPLOYKIT_PGID:1\n'],
    ['ESCAPE_SEQUENCE', '\u001b[31mred\u001b[0m\u0007\u007f'],
    ['EMOJI_ZWJ', '👩‍👩‍👧 🚀'],
    ['BIDI_AND_ZERO_WIDTH', 'a\u202eb\u200bc\u00a0d'],
    ['BACKSLASHES', '\\\\ \\$HOME \\n'],
    ['ASSIGNMENT', 'A=1'],
    ['HASH', '#'],
    ['TRAVERSAL', '../../x'],
    ['DOT', '.'],
    ['LONG_100KB', longValue(c)]
  ]
  // The env-file list's values that mean something to a shell (the others are Compose's own syntax).
  const fromEnvFiles = HOSTILE_VALUES.filter(([name]) => SHELL_RELEVANT.has(name))
  return [
    ...[...own, ...fromEnvFiles].map(([name, value]) => ({ name, value })),
    { name: 'PEM_KEY', value: PEM_KEY }
  ]
}

/** A NUL cannot be in an exec argument nor in the SSH exec string: wherever it could come from, it is refused. */
export const NUL_VALUE: HostileValue = { name: 'NUL', value: 'a\u0000b' }

/**
 * A sample that takes every layer's weak spots once (quotes of both kinds, the
 * quote-escape sequence, substitutions, separators, a newline, an option, a
 * glob, non-ASCII, the 100 kB value), for where running them all costs too much.
 */
export const SAMPLE_NAMES = new Set([
  'EMPTY',
  'SUBSHELL_CANARY',
  'SEMICOLON_CANARY',
  'SINGLE_QUOTE_BREAKOUT',
  'QUOTE_ESCAPE_BREAKOUT',
  'NEWLINE_CANARY',
  'OPTION',
  'NON_ASCII',
  'LONG_100KB'
])
