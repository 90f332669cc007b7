import { InputError } from './errors.js'

export interface HostAddress {
  host: string
  port: number
  username: string
  /** How the host is named in logs and outputs: `user@host:port` without defaults. */
  label: string
}

const USER = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/

export function parsePort(text: string, input: string): number {
  const trimmed = text.trim()
  const port = Number(trimmed)
  if (!/^\d+$/.test(trimmed) || port < 1 || port > 65535) {
    throw new InputError(input, `port ${JSON.stringify(text)} is not a number from 1 to 65535`)
  }
  return port
}

/** A `username` input: empty, or a name that can stand in `user@host` and in the log's host labels. */
export function parseUsername(text: string, input: string): string {
  const username = text.trim()
  if (username && !USER.test(username)) {
    throw new InputError(
      input,
      `${JSON.stringify(username)} is not a valid user name`,
      'Use letters, digits, ., _ and -, not starting with -'
    )
  }
  return username
}

/**
 * Parses one `[user@]host[:port]` entry. IPv6 addresses take a port only in
 * brackets: `[::1]:2222`.
 */
export function parseHost(
  entry: string,
  defaults: { port: number; username: string },
  input = 'host'
): HostAddress {
  const bad = (why: string): never => {
    throw new InputError(
      input,
      `${JSON.stringify(entry)} ${why}`,
      'Write each host as [user@]host[:port], IPv6 in brackets: deploy@[2001:db8::1]:22'
    )
  }
  let rest = entry.trim()
  let username = defaults.username
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    username = rest.slice(0, at)
    rest = rest.slice(at + 1)
    if (!USER.test(username)) bad('has an invalid user name')
  }
  let host: string
  let port = defaults.port
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0) bad('opens "[" without a closing "]"')
    host = rest.slice(1, close)
    const after = rest.slice(close + 1)
    if (after !== '') {
      if (!after.startsWith(':')) bad('has text after "]" that is not :port')
      port = parsePort(after.slice(1), input)
    }
    if (!IPV6.test(host) || !host.includes(':'))
      bad('has brackets around something that is not an IPv6 address')
  } else if ((rest.match(/:/g) ?? []).length > 1) {
    host = rest
    if (!IPV6.test(host)) bad('is not a valid IPv6 address')
  } else {
    const colon = rest.indexOf(':')
    host = colon >= 0 ? rest.slice(0, colon) : rest
    if (colon >= 0) port = parsePort(rest.slice(colon + 1), input)
    if (!HOSTNAME.test(host)) bad('is not a valid host name or address')
  }
  if (!username) {
    throw new InputError(
      input,
      `no user name for ${JSON.stringify(entry)}`,
      "Set 'username' or write the host as user@host"
    )
  }
  const shownHost = host.includes(':') ? `[${host}]` : host
  const label = `${username}@${shownHost}${port === 22 ? '' : `:${port}`}`
  return { host, port, username, label }
}

/** Splits the `host` input (comma or newline separated) into addresses; duplicates are an error. */
export function parseHosts(
  text: string,
  defaults: { port: number; username: string },
  input = 'host'
): HostAddress[] {
  const entries = text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(s => s !== '' && !s.startsWith('#'))
  if (entries.length === 0) {
    throw new InputError(input, 'is empty', 'Give at least one server, e.g. deploy@example.com')
  }
  const hosts = entries.map(e => parseHost(e, defaults, input))
  const seen = new Set<string>()
  for (const h of hosts) {
    const key = `${h.username}@${h.host}:${h.port}`
    if (seen.has(key)) throw new InputError(input, `lists ${h.label} twice`, 'Remove the duplicate')
    seen.add(key)
  }
  return hosts
}
