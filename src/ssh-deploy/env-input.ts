import { InputError } from '../core/errors.js'
import { isEnvName } from '../core/shell.js'

const HINT =
  'Write one KEY=VALUE per line, e.g. APP_RELEASE=v1.2; for a value over several lines write KEY<<EOF, the lines, then EOF alone on a line'

/**
 * The `env` and `vars` inputs: `KEY=VALUE` lines (the value is everything after the first
 * `=`, spaces included) and, for values over several lines, GitHub's
 * GITHUB_OUTPUT heredoc form `KEY<<DELIMITER`, the lines, `DELIMITER`. Blank
 * lines and `#` lines between entries are skipped. Errors name the key or the
 * line number, never the value: it is a secret.
 */
export function parseEnvInput(
  text: string,
  input: 'env' | 'vars' = 'env'
): Array<[string, string]> {
  const lines = text.split(/\r?\n/)
  const pairs: Array<[string, string]> = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    const equals = line.indexOf('=')
    const heredoc = line.indexOf('<<')
    if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
      const key = checkedKey(line.slice(0, heredoc), i, input)
      const delimiter = line.slice(heredoc + 2).trim()
      if (!delimiter) {
        throw new InputError(input, `${key}<< on line ${i + 1} has no delimiter`, HINT)
      }
      const end = lines.indexOf(delimiter, i + 1)
      if (end < 0) {
        throw new InputError(
          input,
          `${key}<<${delimiter} is not closed: no line ${delimiter} follows`,
          `End the value with a line holding only ${delimiter}`
        )
      }
      pairs.push([key, checkedValue(key, lines.slice(i + 1, end).join('\n'), input)])
      i = end
      continue
    }
    if (equals <= 0) throw new InputError(input, `line ${i + 1} is not KEY=VALUE`, HINT)
    const key = checkedKey(line.slice(0, equals), i, input)
    pairs.push([key, checkedValue(key, line.slice(equals + 1), input)])
  }
  return pairs
}

function checkedKey(raw: string, index: number, input: string): string {
  const key = raw.trim()
  if (!isEnvName(key)) {
    throw new InputError(
      input,
      `line ${index + 1} does not start with a variable name (letters, digits and _, not starting with a digit)`,
      HINT
    )
  }
  return key
}

function checkedValue(key: string, value: string, input: string): string {
  const bad = /[\r\0]/.exec(value)
  if (bad) {
    throw new InputError(
      input,
      `the value of ${key} holds a ${bad[0] === '\r' ? 'carriage return (\\r), which Compose v1 reads as a line break' : 'NUL character, which ends a value in every env file reader'}`,
      'Remove it from the value (for a file made on Windows, convert its line endings to \\n)'
    )
  }
  return value
}
