import * as core from '@actions/core'
import { InputError } from '../core/errors.js'
import { InputReader, readBoolean, readDuration, readInteger, readLines } from '../core/inputs.js'
import { isShortSecret, registerSecret, warnShortSecret } from '../core/secrets.js'
import {
  Expectations,
  JsonExpectation,
  parseBodyPattern,
  parseJsonExpectation,
  parseStatusSpec,
  StatusSpec
} from './expectations.js'

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const
export type HttpMethod = (typeof METHODS)[number]

export type From = { kind: 'runner' } | { kind: 'server' } | { kind: 'container'; service: string }

export interface Header {
  name: string
  value: string
}

/** One URL to check and what it must answer. */
export interface UrlCheck {
  method: HttpMethod
  /** The URL as given, credentials included: only ever sent, never shown. */
  url: string
  /** The URL with its credentials replaced by ***, for logs, summary and outputs. */
  shownUrl: string
  expect: Expectations
}

export interface Timing {
  /** Per request. */
  timeoutMs: number
  maxAttempts: number
  /** Pause before the first retry; it doubles each time. */
  retryDelayMs: number
  /** Bounds the whole check, all URLs and attempts together. */
  waitTimeoutMs: number
}

export interface SmokeSettings {
  checks: UrlCheck[]
  from: From
  headers: Header[]
  followRedirects: boolean
  insecureTls: boolean
  timing: Timing
}

/**
 * Headers that name things rather than grant access. Masking them would hide
 * every occurrence of a host name, or of a value as short as `1`, in the log.
 */
const PUBLIC_HEADERS = new Set([
  'host',
  'accept',
  'accept-language',
  'content-type',
  'user-agent',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto'
])

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
const URL_SYNTAX_FIX =
  'Write one URL per line as [METHOD] URL [STATUS] [path=value …], e.g. GET https://example.com/api/health 200'
const MAX_LATENCY_LIMIT_MS = 600_000

/** Replaces the user-info part of every URL in a text: `//user:***@`, or `//***@` for a bare token. */
export function redactCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*)@/gi, (_all, scheme, userinfo) => {
    const colon = userinfo.indexOf(':')
    return colon >= 0 ? `${scheme}${userinfo.slice(0, colon)}:***@` : `${scheme}***@`
  })
}

function registerUrlSecrets(text: string): void {
  for (const m of text.matchAll(/:\/\/([^\s/?#@]*)@/g)) {
    const userinfo = m[1]
    const colon = userinfo.indexOf(':')
    const secret = colon >= 0 ? userinfo.slice(colon + 1) : userinfo
    registerSecret(secret)
    try {
      if (decodeURIComponent(secret) !== secret) registerSecret(decodeURIComponent(secret))
    } catch {
      // a malformed escape is reported by the URL check below
    }
  }
}

function splitHeader(line: string): Header | undefined {
  const colon = line.indexOf(':')
  if (colon <= 0) return undefined
  return { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() }
}

/** Registers secret header values before anything else can print them. */
function registerHeaderSecrets(read: InputReader): void {
  for (const line of readLines(read, 'headers')) {
    const header = splitHeader(line)
    if (!header || PUBLIC_HEADERS.has(header.name.toLowerCase())) continue
    registerSecret(header.value)
    if (isShortSecret(header.value))
      warnShortSecret(
        `headers: the value of ${header.name}`,
        `Every header but ${[...PUBLIC_HEADERS].join(', ')} is masked.`
      )
  }
}

function readHeaders(read: InputReader): Header[] {
  return readLines(read, 'headers').map((line, index) => {
    const header = splitHeader(line)
    if (!header || !HEADER_NAME.test(header.name)) {
      // The line itself is not shown: without its colon, it may be nothing but the secret.
      throw new InputError(
        'headers',
        `header ${index + 1} is not "Name: value"`,
        'Write one header per line, e.g. Authorization: Bearer ${{ secrets.TOKEN }}'
      )
    }
    if (!header.value) {
      throw new InputError('headers', `${header.name} has no value`, 'Give it a value or remove it')
    }
    // HTTP allows no control character but tab in a value; a lone CR ends the line for some servers.
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(header.value)) {
      throw new InputError(
        'headers',
        `the value of ${header.name} holds a control character, which HTTP does not allow in a header`,
        'Remove it from the value'
      )
    }
    return header
  })
}

export function readFrom(read: InputReader): From {
  const text = read('from').trim() || 'runner'
  if (text === 'runner' || text === 'server') return { kind: text }
  const m = /^container:(.*)$/.exec(text)
  if (m && SERVICE_NAME.test(m[1].trim())) return { kind: 'container', service: m[1].trim() }
  throw new InputError(
    'from',
    `${JSON.stringify(text)} is not runner, server or container:<service>`,
    'Use runner (from the workflow runner), server (over SSH) or container:api (inside the Compose service api)'
  )
}

export function fromLabel(from: From): string {
  return from.kind === 'container' ? `container:${from.service}` : from.kind
}

function parseUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new InputError(
      'urls',
      `${JSON.stringify(redactCredentials(text))} is not a valid URL`,
      URL_SYNTAX_FIX
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(
      'urls',
      `${JSON.stringify(redactCredentials(text))} is not an http:// or https:// URL`,
      URL_SYNTAX_FIX
    )
  }
  return text
}

interface Shared {
  status: StatusSpec
  json: JsonExpectation[]
  body?: RegExp
  maxLatencyMs: number
}

/** One `urls` line: `[METHOD] URL [STATUS] [path=value …]`. */
export function parseUrlLine(line: string, shared: Shared): UrlCheck {
  const tokens = line.split(/\s+/)
  let method: HttpMethod = 'GET'
  if (!tokens[0].includes('://') && /^[A-Za-z]+$/.test(tokens[0])) {
    const word = tokens.shift()!.toUpperCase()
    if (!(METHODS as readonly string[]).includes(word)) {
      throw new InputError(
        'urls',
        `${JSON.stringify(word)} is not a supported method`,
        `Use one of ${METHODS.join(', ')}`
      )
    }
    method = word as HttpMethod
  }
  const urlText = tokens.shift()
  if (!urlText || !urlText.includes('://')) {
    throw new InputError(
      'urls',
      `${JSON.stringify(redactCredentials(line))} has no URL`,
      URL_SYNTAX_FIX
    )
  }
  const url = parseUrl(urlText)
  let status: StatusSpec | undefined
  const json = [...shared.json]
  for (const token of tokens) {
    if (token.includes('=')) {
      json.push(parseJsonExpectation(token, 'urls'))
    } else if (!status && /^[\dxX,-]+$/.test(token)) {
      status = parseStatusSpec(token, 'urls')
    } else {
      throw new InputError(
        'urls',
        `${JSON.stringify(token)} in ${JSON.stringify(redactCredentials(line))} is neither a status nor a path=value check`,
        URL_SYNTAX_FIX
      )
    }
  }
  if (method === 'HEAD' && (json.length > 0 || shared.body)) {
    throw new InputError(
      'urls',
      `HEAD ${redactCredentials(urlText)} gets no body, so expect-json and expect-body cannot hold`,
      'Use GET for URLs whose body is checked'
    )
  }
  return {
    method,
    url,
    shownUrl: redactCredentials(url),
    expect: {
      status: status ?? shared.status,
      json,
      body: shared.body,
      maxLatencyMs: shared.maxLatencyMs
    }
  }
}

function readTiming(read: InputReader): Timing {
  const timeoutMs = readDuration(read, 'timeout', 10)
  const waitTimeoutMs = readDuration(read, 'wait-timeout', 120)
  if (timeoutMs <= 0) throw new InputError('timeout', 'must be more than 0', 'Use seconds, e.g. 10')
  if (waitTimeoutMs <= 0) {
    throw new InputError('wait-timeout', 'must be more than 0', 'Use seconds, e.g. 120')
  }
  return {
    timeoutMs,
    maxAttempts: readInteger(read, 'max-attempts', 10, 1, 1000),
    retryDelayMs: readDuration(read, 'retry-delay', 2),
    waitTimeoutMs
  }
}

/**
 * Reads and checks every smoke-check input (not the connection inputs).
 * Secrets are registered first, so no error below can print them.
 */
export function readSmokeSettings(read: InputReader): SmokeSettings {
  registerHeaderSecrets(read)
  registerUrlSecrets(read('urls'))

  const lines = readLines(read, 'urls')
  if (lines.length === 0) {
    throw new InputError('urls', 'is empty', URL_SYNTAX_FIX)
  }
  const expectBody = read('expect-body').trim()
  const shared: Shared = {
    status: parseStatusSpec(read('expect-status').trim() || '2xx', 'expect-status'),
    json: readLines(read, 'expect-json').map(l => parseJsonExpectation(l, 'expect-json')),
    body: expectBody ? parseBodyPattern(expectBody, 'expect-body') : undefined,
    maxLatencyMs: readInteger(read, 'max-latency-ms', 0, 0, MAX_LATENCY_LIMIT_MS)
  }
  const checks = lines.map(line => parseUrlLine(line, shared))
  const seen = new Set<string>()
  for (const c of checks) {
    const key = `${c.method} ${c.url}`
    if (seen.has(key)) {
      throw new InputError('urls', `lists ${c.method} ${c.shownUrl} twice`, 'Remove the duplicate')
    }
    seen.add(key)
  }
  const from = readFrom(read)
  if (from.kind === 'runner' && read('host').trim()) {
    core.warning(
      'host is set but from is runner: the URLs are requested from the runner, not over SSH'
    )
  }
  return {
    checks,
    from,
    headers: readHeaders(read),
    followRedirects: readBoolean(read, 'follow-redirects', true),
    insecureTls: readBoolean(read, 'insecure-tls', false),
    timing: readTiming(read)
  }
}
