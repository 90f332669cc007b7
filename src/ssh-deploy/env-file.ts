/**
 * Env files as Compose reads them. Values deploy-kit writes are quoted so the
 * server's Compose reads them back byte for byte; every other line is kept as it is.
 *
 * The two Compose generations read env files differently (checked on Compose
 * 2.26.1 and 1.29.2, for `env_file:` and for `${VAR}` interpolated from
 * `--env-file` into `environment:`), and no one form is read alike by both:
 * - v2 (compose-go): in double quotes `\\`, `\"` and `\n` are escapes and `$`
 *   starts an interpolation unless doubled (`$$`); single quotes cannot hold a
 *   backslash before the closing quote.
 * - v1 (python-dotenv 0.21): in double quotes `\\`, `\"` and `\n` are escapes,
 *   `$$` stays `$$`, `${…}` is interpolated whatever the quoting and has no
 *   escape, and a backslash right before the closing quote is read as an
 *   escaped quote.
 * So the writer uses the form of the Compose that runs on the server.
 */
import { COMPOSE_V1 } from '../commands/compose.js'

export type EnvDialect = 'compose-v2' | 'compose-v1'

export function envDialect(composeBinary: readonly string[]): EnvDialect {
  return composeBinary.join(' ') === COMPOSE_V1.join(' ') ? 'compose-v1' : 'compose-v2'
}

/** Characters no env-file form carries: Compose v1 reads `\r` as a line break, and NUL ends a C string. */
export const UNWRITABLE = /[\r\0]/

/** `"…"` that the dialect's parser reads back as exactly `value`. */
export function quoteEnvValue(value: string, dialect: EnvDialect): string {
  if (UNWRITABLE.test(value)) throw new Error('an env value cannot hold a carriage return or NUL')
  const escaped = value.replace(/[\\"\n]/g, c => (c === '\n' ? '\\n' : `\\${c}`))
  if (dialect === 'compose-v2') return `"${escaped.replace(/\$/g, () => '$$')}"`
  // v1 expands every `${…}`, so a literal `${` is written as an expansion of a
  // variable named `=` (which no environment can hold) that defaults to `$`,
  // followed by `{`; and a trailing backslash is kept off the closing quote by
  // `${=}`, which expands to nothing.
  const literal = escaped.replace(/\$\{/g, () => '${=:-$}{')
  return `"${literal}${value.endsWith('\\') ? '${=}' : ''}"`
}

const ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=(.*)$/

/** One statement of an env file: the lines it spans, and for an assignment its key and value. */
interface Statement {
  lines: string[]
  key?: string
  value?: string
  /** The value was written in quotes (so `KEY= # note` is told from `KEY="# note"`). */
  quoted?: boolean
}

/** Index in `text` of the quote closing a value opened at `text[0]`, or -1. */
function closingQuote(text: string, dialect: EnvDialect): number {
  const quote = text[0]
  if (dialect === 'compose-v2') {
    for (let i = 1, escaped = false; i < text.length; i++) {
      if (text[i] === quote && !escaped) return i
      escaped = !escaped && text[i] === '\\'
    }
    return -1
  }
  // python-dotenv's `'((?:\\'|[^'])*)'`: the first quote not right after a
  // backslash, else (when the regex backtracks) the last one.
  let last = -1
  for (let i = 1; i < text.length; i++) {
    if (text[i] !== quote) continue
    if (text[i - 1] !== '\\') return i
    last = i
  }
  return last
}

const V2_ESCAPE = /\\(?:[abcfnrtv$"\\]|0[0-7]{0,3})/g
const V2_CHARS: Record<string, string> = {
  a: '\x07',
  b: '\b',
  c: '\\c',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  $: '$$',
  '"': '"',
  '\\': '\\'
}
const V1_ESCAPE = /\\[\\'"abfnrtv]/g
const V1_CHARS: Record<string, string> = { ...V2_CHARS, "'": "'" }

function expandV2(value: string, known: ReadonlyMap<string, string>): string {
  return value.replace(
    /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (match, braced?: string, op?: string, word?: string, bare?: string) => {
      if (match === '$$') return '$'
      const name = braced ?? bare ?? ''
      const set = known.has(name)
      const current = known.get(name) ?? ''
      const present = op?.startsWith(':') ? current !== '' : set
      if (op?.endsWith('-')) return present ? current : (word ?? '')
      if (op?.endsWith('+')) return present ? (word ?? '') : ''
      return current
    }
  )
}

function expandV1(value: string, known: ReadonlyMap<string, string>): string {
  return value.replace(
    /\$\{([^}:]*)(?::-([^}]*))?\}/g,
    (_match, name: string, fallback?: string) => known.get(name) ?? fallback ?? ''
  )
}

/** The value Compose reads from `raw` (what follows `=`), and how many characters of `raw` it used. */
function readValue(
  raw: string,
  dialect: EnvDialect,
  known: ReadonlyMap<string, string>
): { value: string; quoted: boolean; length: number } | undefined {
  const lead = /^[^\S\n]*/.exec(raw)?.[0].length ?? 0
  const text = raw.slice(lead)
  const quote = text[0]
  if (quote !== '"' && quote !== "'") {
    const line = text.split('\n')[0]
    const bare =
      dialect === 'compose-v2'
        ? line.split(' #')[0].replace(/\s+$/, '')
        : line.replace(/\s+#.*/, '').replace(/\s+$/, '')
    const value = dialect === 'compose-v2' ? expandV2(bare, known) : expandV1(bare, known)
    return { value, quoted: false, length: lead + line.length }
  }
  const end = closingQuote(text, dialect)
  if (end < 0) return undefined
  const inner = text.slice(1, end)
  let value: string
  if (dialect === 'compose-v2') {
    // compose-go drops the backslash of an escaped quote first, then expands escapes in double quotes.
    const unquoted = inner.replace(/\\([\s\S])/g, (m, c: string) => (c === quote ? c : m))
    value =
      quote === '"'
        ? expandV2(
            unquoted.replace(V2_ESCAPE, m =>
              m[1] === '0' ? String.fromCharCode(parseInt(m.slice(1), 8)) : V2_CHARS[m[1]]
            ),
            known
          )
        : unquoted
  } else {
    const decoded =
      quote === '"'
        ? inner.replace(V1_ESCAPE, m => V1_CHARS[m[1]])
        : inner.replace(/\\[\\']/g, m => m[1])
    value = expandV1(decoded, known)
  }
  return { value, quoted: true, length: lead + end + 1 }
}

/** Splits an env file into statements; a quoted value may run over several lines. */
function statements(text: string, dialect: EnvDialect): Statement[] {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n')
  const known = new Map<string, string>()
  const out: Statement[] = []
  for (let i = 0; i < lines.length; i++) {
    const m = ASSIGNMENT.exec(lines[i])
    // Only a quoted value can run on past its line.
    const raw = m && /^[^\S\n]*["']/.test(m[2]) ? [m[2], ...lines.slice(i + 1)].join('\n') : m?.[2]
    const read = raw === undefined ? undefined : readValue(raw, dialect, known)
    if (!m || !read || raw === undefined) {
      out.push({ lines: [lines[i]] })
      continue
    }
    const count = raw.slice(0, read.length).split('\n').length
    out.push({
      lines: lines.slice(i, i + count),
      key: m[1],
      value: read.value,
      quoted: read.quoted
    })
    known.set(m[1], read.value)
    i += count - 1
  }
  return out
}

/** Every KEY and the value the dialect's Compose reads for it (the last one given wins). */
export function parseEnv(text: string, dialect: EnvDialect): Map<string, string> {
  const values = new Map<string, string>()
  for (const s of statements(text, dialect)) if (s.key) values.set(s.key, s.value ?? '')
  return values
}

/**
 * Sets each KEY to its value in place (first occurrence; later duplicates
 * removed so the value given wins), appends new keys, and keeps every other
 * line untouched.
 */
export function mergeEnv(
  text: string,
  updates: ReadonlyArray<[string, string]>,
  dialect: EnvDialect
): string {
  const pending = new Map(updates)
  const line = (key: string) => `${key}=${quoteEnvValue(pending.get(key) as string, dialect)}`
  const seen = new Set<string>()
  const out: string[] = []
  for (const s of statements(text, dialect)) {
    if (s.key && pending.has(s.key)) {
      if (!seen.has(s.key)) out.push(line(s.key))
      seen.add(s.key)
      continue
    }
    out.push(...s.lines)
  }
  for (const key of pending.keys()) if (!seen.has(key)) out.push(line(key))
  return out.length ? out.join('\n') + '\n' : ''
}

/**
 * Names from `required` that are missing or empty. `KEY= # note` counts as
 * empty: both Compose versions pass `# note` on as the value, which is a
 * placeholder, not a setting.
 */
export function missingEnv(
  text: string,
  required: readonly string[],
  dialect: EnvDialect
): string[] {
  const found = new Map<string, Statement>()
  for (const s of statements(text, dialect)) if (s.key) found.set(s.key, s)
  return required.filter(name => {
    const s = found.get(name)
    return !s?.value || (!s.quoted && s.value.startsWith('#'))
  })
}
