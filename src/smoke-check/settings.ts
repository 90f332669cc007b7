import * as core from '@actions/core'
import { Header, HTTP_METHODS, HttpMethod } from '../commands/http-probe.js'
import { AppSettings, readAppSettings } from '../core/app-settings.js'
import { ConnectionSettings, readConnectionSettings } from '../core/connection-settings.js'
import { InputError } from '../core/errors.js'
import { InputReader, readBoolean, readDuration, readInteger, readLines } from '../core/inputs.js'
import { isShortSecret, registerSecret, warnShortSecret } from '../core/secrets.js'
import { BadUrl, parseTargetUrl, shownText, urlSecrets } from './target-url.js'
import {
  Expectations,
  JsonExpectation,
  parseBodyPattern,
  parseJsonExpectation,
  parseStatusSpec,
  StatusSpec
} from './expectations.js'

export type From = { kind: 'runner' } | { kind: 'server' } | { kind: 'container'; service: string }

/** One URL to check and what it must answer. */
export interface UrlCheck {
  method: HttpMethod
  /** What is requested: the URL without its user info and fragment. Never shown (its query may hold a token). */
  url: string
  /** `Basic …` from the URL's user info, sent as the Authorization header unless `headers` has one. */
  authorization?: string
  /** The URL with its password and query values as ***, for logs, summary, outputs and errors. */
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
/** A tab is fine in a header value; a CR or any other control character could end it early. */
function hasControlCharacter(value: string): boolean {
  return [...value].some(c => (c < ' ' && c !== '\t') || c === '\u007f')
}
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
const URL_SYNTAX_FIX =
  'Write one URL per line as [METHOD] URL [STATUS] [path=value …], e.g. GET https://example.com/api/health 200'
const MAX_LATENCY_LIMIT_MS = 600_000

/** Registers every credential in the `urls` input, in each form it may be printed in. */
function registerUrlSecrets(text: string): void {
  for (const token of text.split(/\s+/)) {
    if (!token.includes('://')) continue
    for (const secret of urlSecrets(token)) registerSecret(secret)
    try {
      const authorization = parseTargetUrl(token).authorization
      if (authorization) registerSecret(authorization.slice('Basic '.length))
    } catch {
      // reported with the line it is on
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
    if (hasControlCharacter(header.value)) {
      throw new InputError(
        'headers',
        `the value of ${header.name} has a control character`,
        'Remove it; a header value is one line of text'
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

interface Shared {
  status: StatusSpec
  json: JsonExpectation[]
  body?: RegExp
  maxLatencyMs: number
}

/** One `urls` line, the `number`-th: `[METHOD] URL [STATUS] [path=value …]`. */
export function parseUrlLine(line: string, shared: Shared, number = 1): UrlCheck {
  const tokens = line.split(/\s+/)
  let method: HttpMethod = 'GET'
  if (!tokens[0].includes('://') && /^[A-Za-z]+$/.test(tokens[0])) {
    const word = tokens.shift()!.toUpperCase()
    if (!(HTTP_METHODS as readonly string[]).includes(word)) {
      throw new InputError(
        'urls',
        `${JSON.stringify(word)} is not a supported method`,
        `Use one of ${HTTP_METHODS.join(', ')}`
      )
    }
    method = word as HttpMethod
  }
  const urlText = tokens.shift()
  if (!urlText || !urlText.includes('://')) {
    throw new InputError('urls', `${JSON.stringify(shownText(line))} has no URL`, URL_SYNTAX_FIX)
  }
  let target
  try {
    target = parseTargetUrl(urlText)
  } catch (err) {
    if (!(err instanceof BadUrl)) throw err
    throw new InputError(
      'urls',
      `URL ${number} (${JSON.stringify(err.shown)}) ${err.problem}`,
      err.fix ?? URL_SYNTAX_FIX
    )
  }
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
        `${JSON.stringify(token)} in ${JSON.stringify(shownText(line))} is neither a status nor a path=value check`,
        URL_SYNTAX_FIX
      )
    }
  }
  if (method === 'HEAD' && (json.length > 0 || shared.body)) {
    throw new InputError(
      'urls',
      `HEAD ${target.shown} gets no body, so expect-json and expect-body cannot hold`,
      'Use GET for URLs whose body is checked'
    )
  }
  return {
    method,
    url: target.href,
    authorization: target.authorization,
    shownUrl: target.shown,
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
  const checks = lines.map((line, index) => parseUrlLine(line, shared, index + 1))
  const seen = new Set<string>()
  for (const c of checks) {
    const key = `${c.method} ${c.url} ${c.authorization ?? ''}`
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

/** How checks from the servers reach them: over SSH, and into the app's containers for from: container. */
export interface SmokeRemote {
  connection: ConnectionSettings
  app?: AppSettings
}

/** The smoke check with where it runs from: `remote` is set unless it runs from the runner. */
export interface SmokeCheckSettings extends SmokeSettings {
  remote?: SmokeRemote
}

/**
 * Reads and checks every input of the smoke-check action, the connection
 * inputs too when it checks from the servers. `connection` is given by a
 * caller that read the connection inputs already (the root action).
 */
export function readSmokeCheckSettings(
  read: InputReader,
  connection?: ConnectionSettings
): SmokeCheckSettings {
  const settings = readSmokeSettings(read)
  if (settings.from.kind === 'runner') return settings
  return {
    ...settings,
    remote: {
      connection: connection ?? readConnectionSettings(read),
      app: settings.from.kind === 'container' ? readAppSettings(read) : undefined
    }
  }
}
