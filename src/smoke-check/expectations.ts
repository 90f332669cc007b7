import { InputError } from '../core/errors.js'

/** Accepted status codes: `200`, `2xx`, `200-299`, or a comma list of those. */
export interface StatusSpec {
  text: string
  ranges: ReadonlyArray<readonly [number, number]>
}

/** `components.database=ok`: the value at a dotted path of the JSON body, compared as text. */
export interface JsonExpectation {
  path: string
  keys: readonly string[]
  value: string
}

export interface Expectations {
  status: StatusSpec
  json: readonly JsonExpectation[]
  body?: RegExp
  /** 0 = no limit. */
  maxLatencyMs: number
}

/** What came back from one request, whoever made it. */
export interface Observed {
  status: number
  body: string
  latencyMs?: number
}

const STATUS_ITEM = /^(?:([1-5])xx|([1-5]\d\d)(?:-([1-5]\d\d))?)$/i

export function parseStatusSpec(text: string, input: string): StatusSpec {
  const items = text
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
  const ranges = items.map(item => {
    const m = STATUS_ITEM.exec(item)
    if (!m) {
      throw new InputError(
        input,
        `${JSON.stringify(item)} is not a status code, range or class`,
        'Use a code (200), a class (2xx), a range (200-299) or a comma list (200,204)'
      )
    }
    if (m[1]) return [Number(m[1]) * 100, Number(m[1]) * 100 + 99] as const
    const low = Number(m[2])
    const high = m[3] ? Number(m[3]) : low
    if (high < low) {
      throw new InputError(input, `range ${item} ends before it starts`, 'Write it low-high')
    }
    return [low, high] as const
  })
  if (ranges.length === 0) {
    throw new InputError(input, 'is empty', 'Use a code (200), a class (2xx) or a list (200,204)')
  }
  return { text: items.join(','), ranges }
}

export function statusMatches(spec: StatusSpec, code: number): boolean {
  return spec.ranges.some(([low, high]) => code >= low && code <= high)
}

/** Parses `path=value`; `items[0].name` and `$.status` are accepted for `items.0.name` and `status`. */
export function parseJsonExpectation(line: string, input: string): JsonExpectation {
  const at = line.indexOf('=')
  const path = (at < 0 ? '' : line.slice(0, at).trim())
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
  const keys = path.split('.')
  if (at < 0 || !path || keys.some(k => k === '')) {
    throw new InputError(
      input,
      `${JSON.stringify(line)} is not a path=value line`,
      'Write one check per line as a dotted path, =, and the value: components.database=ok'
    )
  }
  return { path, keys, value: line.slice(at + 1).trim() }
}

/** `/ok/i` keeps its flags; anything else is the pattern itself. */
export function parseBodyPattern(text: string, input: string): RegExp {
  const literal = /^\/(.+)\/([dgimsuy]*)$/s.exec(text)
  try {
    return literal ? new RegExp(literal[1], literal[2].replace('g', '')) : new RegExp(text)
  } catch (err) {
    throw new InputError(
      input,
      `${JSON.stringify(text)} is not a valid regular expression (${(err as Error).message})`,
      'Use JavaScript regular expression syntax, e.g. "status":\\s*"ok"'
    )
  }
}

const NOTHING = Symbol('nothing')

function lookup(data: unknown, keys: readonly string[]): unknown {
  let here: unknown = data
  for (const key of keys) {
    if (here === null || typeof here !== 'object' || !Object.hasOwn(here, key)) return NOTHING
    here = (here as Record<string, unknown>)[key]
  }
  return here
}

function sameAsText(found: unknown, expected: string): boolean {
  if (typeof found === 'string') return found === expected
  return JSON.stringify(found) === expected
}

function shown(found: unknown): string {
  return found === NOTHING ? 'nothing (no such path)' : clip(JSON.stringify(found), 120)
}

export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** A short, one-line view of a body for messages. */
export function trimmedBody(body: string): string {
  return clip(body, 200)
}

/** Every unmet expectation as a reason, e.g. `components.database: expected "ok", got "down"`. */
export function unmetExpectations(expect: Expectations, observed: Observed): string[] {
  const reasons: string[] = []
  if (!statusMatches(expect.status, observed.status)) {
    reasons.push(`HTTP status: expected ${expect.status.text}, got ${observed.status}`)
  }
  if (expect.json.length > 0) {
    let data: unknown = NOTHING
    try {
      data = JSON.parse(observed.body)
    } catch {
      reasons.push(
        `body: expected JSON, got ${observed.body ? JSON.stringify(trimmedBody(observed.body)) : 'an empty body'}`
      )
    }
    if (data !== NOTHING) {
      for (const want of expect.json) {
        const found = lookup(data, want.keys)
        if (found === NOTHING || !sameAsText(found, want.value)) {
          reasons.push(`${want.path}: expected ${JSON.stringify(want.value)}, got ${shown(found)}`)
        }
      }
    }
  }
  if (expect.body && !expect.body.test(observed.body)) {
    reasons.push(
      `body: expected to match ${expect.body}, got ${JSON.stringify(trimmedBody(observed.body))}`
    )
  }
  if (
    expect.maxLatencyMs > 0 &&
    observed.latencyMs !== undefined &&
    observed.latencyMs > expect.maxLatencyMs
  ) {
    reasons.push(
      `latency: expected at most ${expect.maxLatencyMs} ms, got ${Math.round(observed.latencyMs)} ms`
    )
  }
  return reasons
}
