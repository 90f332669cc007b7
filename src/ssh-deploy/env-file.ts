/** Env files as Compose reads them: `KEY=VALUE` lines, comments and blanks kept as they are. */

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/

function unquote(value: string): string {
  const v = value.trim()
  if (
    v.length >= 2 &&
    ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))
  ) {
    return v.slice(1, -1)
  }
  return v
}

export function parseEnv(text: string): Map<string, string> {
  const values = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const m = ASSIGNMENT.exec(line)
    if (m && !line.trimStart().startsWith('#')) values.set(m[1], unquote(m[2]))
  }
  return values
}

/**
 * Sets each KEY to its value in place (first occurrence; later duplicates
 * removed so the value given wins), appends new keys, and keeps every other
 * line untouched.
 */
export function mergeEnv(text: string, updates: ReadonlyArray<[string, string]>): string {
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/)
  const pending = new Map(updates)
  const seen = new Set<string>()
  const out: string[] = []
  for (const line of lines) {
    const m = ASSIGNMENT.exec(line)
    const key = m && !line.trimStart().startsWith('#') ? m[1] : undefined
    if (key && pending.has(key)) {
      if (!seen.has(key)) out.push(`${key}=${pending.get(key)}`)
      seen.add(key)
      continue
    }
    out.push(line)
  }
  for (const [key, value] of pending) if (!seen.has(key)) out.push(`${key}=${value}`)
  return out.length ? out.join('\n') + '\n' : ''
}

/** Names from `required` that are missing or empty. */
export function missingEnv(text: string, required: readonly string[]): string[] {
  const values = parseEnv(text)
  return required.filter(name => !values.get(name))
}
