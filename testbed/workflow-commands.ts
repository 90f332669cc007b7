// A stand-in for how GitHub's runner finds workflow commands in a step's
// output, built on actions/runner's published source (2026-08):
// - ProcessInvoker reads the step's stdout and stderr with .NET
//   StreamReader.ReadLine, which ends a line at LF, CR or CRLF;
// - OutputManager.OnDataReceived hands a line holding `##[` or `::` to
//   ActionCommandManager.TryProcessCommand, which tries
//   ActionCommand.TryParseV2 (`::name k=v,k=v::data`, at the start of the line
//   once .NET's TrimStart has removed white space) and then ActionCommand.TryParse
//   (`##[name k=v;k=v]data` anywhere in the line). Only registered command
//   names count, compared OrdinalIgnoreCase;
// - between `::stop-commands::TOKEN` and a command named TOKEN nothing else is
//   acted on. The token is added to the registered names and, longer than 6
//   characters, to the secret masker.
// What this cannot model it reports instead of passing: .NET's StartsWith and
// IndexOf(string) compare by culture (ICU), which can skip characters such as
// U+200B or U+00AD, and casing outside ASCII; echo, add-matcher and
// remove-matcher change how later lines are handled; an invalid stop token
// makes the runner throw.

/** The commands the runner registers for an action's step (ExtensionManager.cs). */
export const RUNNER_COMMANDS = [
  'set-env',
  'set-output',
  'save-state',
  'add-path',
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'warning',
  'error',
  'notice',
  'debug',
  'group',
  'endgroup',
  'echo',
  'stop-commands'
] as const

export interface WorkflowCommand {
  /** As registered (lower case), or the stop token that ends a fence. */
  command: string
  properties: Record<string, string>
  data: string
  syntax: 'v2' | 'v1'
  /** The output line it was read from. */
  line: string
}

/** .NET Char.IsWhiteSpace: what String.TrimStart and Trim remove. */
const DOTNET_SPACE =
  '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]'
const DOTNET_LEADING_SPACE = new RegExp(`^${DOTNET_SPACE}+`)
const DOTNET_TRAILING_SPACE = new RegExp(`${DOTNET_SPACE}+$`)

type NameMatcher = (name: string, registered: readonly string[]) => string | undefined

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, c => c.toLowerCase())
}

/** OrdinalIgnoreCase for ASCII; any other character must be the same. */
const ordinalIgnoreCase: NameMatcher = (name, registered) =>
  registered.find(r => asciiLower(r) === asciiLower(name))

/** Casings and compatibility forms an ICU or Unicode-aware comparison could take as equal. */
const looseCase: NameMatcher = (name, registered) => {
  const forms = new Set([name, name.normalize('NFKC')].flatMap(n => [n.toUpperCase()]))
  return registered.find(r => forms.has(r.toUpperCase()))
}

function unescape(text: string, mappings: ReadonlyArray<[string, string]>): string {
  let out = text
  for (const [token, replacement] of mappings) out = out.split(replacement).join(token)
  return out
}

const DATA_V2: Array<[string, string]> = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  ['%', '%25']
]
const PROPERTY_V2: Array<[string, string]> = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  [':', '%3A'],
  [',', '%2C'],
  ['%', '%25']
]
const V1: Array<[string, string]> = [
  [';', '%3B'],
  ['\r', '%0D'],
  ['\n', '%0A'],
  [']', '%5D'],
  ['%', '%25']
]

function properties(
  text: string,
  separator: string,
  mappings: ReadonlyArray<[string, string]>
): Record<string, string> {
  const props: Record<string, string> = {}
  for (const pair of text.split(separator).filter(Boolean)) {
    const at = pair.indexOf('=')
    if (at > 0 && at < pair.length - 1)
      props[pair.slice(0, at)] = unescape(pair.slice(at + 1), mappings)
  }
  return props
}

function parseV2(
  line: string,
  registered: readonly string[],
  match: NameMatcher
): WorkflowCommand | undefined {
  const message = line.replace(DOTNET_LEADING_SPACE, '')
  if (!message.startsWith('::')) return undefined
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const info = message.slice(2, end)
  const space = info.indexOf(' ')
  const command = match(space < 0 ? info : info.slice(0, space), registered)
  if (!command) return undefined
  return {
    command,
    properties:
      space > 0
        ? properties(
            info
              .slice(space + 1)
              .replace(DOTNET_LEADING_SPACE, '')
              .replace(DOTNET_TRAILING_SPACE, ''),
            ',',
            PROPERTY_V2
          )
        : {},
    data: unescape(message.slice(end + 2), DATA_V2),
    syntax: 'v2',
    line
  }
}

function parseV1(
  line: string,
  registered: readonly string[],
  match: NameMatcher
): WorkflowCommand | undefined {
  const start = line.indexOf('##[')
  if (start < 0) return undefined
  const end = line.indexOf(']', start)
  if (end < 0) return undefined
  const info = line.slice(start + 3, end)
  const space = info.indexOf(' ')
  const command = match(space < 0 ? info : info.slice(0, space), registered)
  if (!command) return undefined
  return {
    command,
    properties: space > 0 ? properties(info.slice(space + 1), ';', V1) : {},
    data: unescape(line.slice(end + 1), V1),
    syntax: 'v1',
    line
  }
}

function parse(line: string, registered: readonly string[], match: NameMatcher) {
  return parseV2(line, registered, match) ?? parseV1(line, registered, match)
}

/**
 * The command the runner reads from one line, if any, and whether that answer
 * depends on string comparisons this stand-in does not model.
 */
export function readCommand(
  line: string,
  registered: readonly string[]
): { command?: WorkflowCommand; unsure: boolean } {
  if (!line) return { unsure: false }
  const command = parse(line, registered, ordinalIgnoreCase)
  const printable = line.replace(/[^\x20-\x7e\t]/g, '')
  const others = [
    parse(printable, registered, ordinalIgnoreCase),
    parse(line, registered, looseCase),
    parse(printable, registered, looseCase)
  ]
  const unsure = others.some(o => o?.command !== command?.command)
  return { command, unsure }
}
