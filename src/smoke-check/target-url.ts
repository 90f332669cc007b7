/**
 * A `urls` entry read the way WHATWG URL (Node, browsers) reads it, which is
 * also what curl is given: what is requested, the credentials it carries,
 * and the form every log line, summary, output and error shows.
 */
export interface TargetUrl {
  /** What is requested: no user info, no fragment (neither is ever sent as part of the URL). */
  href: string
  /** `Basic …` from the user info; sent as a header, so a redirect elsewhere drops it with the others. */
  authorization?: string
  /** The password (or a lone user name, a token) as ***, every query value as ***, no fragment. */
  shown: string
}

/** Thrown for text that is not an http(s) URL; `shown` is safe to print. */
export class BadUrl extends Error {
  constructor(
    readonly shown: string,
    readonly problem: string,
    readonly fix?: string
  ) {
    super(`${JSON.stringify(shown)} ${problem}`)
  }
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/\S*/gi

/** Percent-decoding that leaves a malformed escape as it is, as curl does. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * Query values as ***, keys kept. A parameter without `=` is shown as ***
 * too: `?abc123` is as likely a token as a flag.
 */
function shownQuery(search: string): string {
  if (search.length <= 1) return ''
  const params = search
    .slice(1)
    .split('&')
    .map(p => {
      const eq = p.indexOf('=')
      if (eq < 0) return p ? '***' : ''
      return eq === p.length - 1 ? p : `${p.slice(0, eq + 1)}***`
    })
  return `?${params.join('&')}`
}

function shownOf(url: URL): string {
  const userinfo = url.password ? `${url.username}:***@` : url.username ? '***@' : ''
  return `${url.protocol}//${userinfo}${url.host}${url.pathname}${shownQuery(url.search)}`
}

/**
 * The best safe form of text that does not parse: anything up to the last
 * `@` may be user info, anything after `#` a fragment, after `?` a query.
 */
function shownUnparsed(text: string): string {
  const scheme = SCHEME.exec(text)
  let rest = scheme ? text.slice(scheme[0].length) : text
  const at = rest.lastIndexOf('@')
  const userinfo = at >= 0 ? '***@' : ''
  if (at >= 0) rest = rest.slice(at + 1)
  const hash = rest.indexOf('#')
  if (hash >= 0) rest = rest.slice(0, hash)
  const question = rest.indexOf('?')
  const query = question >= 0 ? shownQuery(rest.slice(question)) : ''
  if (question >= 0) rest = rest.slice(0, question)
  return `${scheme ? scheme[0] : ''}${userinfo}${rest}${query}`
}

function parsed(text: string): URL | undefined {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

/** Every URL in a text (an input line, an error) in its shown form. */
export function shownText(text: string): string {
  return text.replace(URL_IN_TEXT, token => {
    const url = parsed(token)
    return url ? shownOf(url) : shownUnparsed(token)
  })
}

/**
 * The secrets a URL token holds, in every form they may be printed in: as
 * typed, as WHATWG URL writes them (percent-encoded) and decoded. For text
 * that does not parse, whatever stands where user info would.
 */
export function urlSecrets(token: string): string[] {
  const scheme = SCHEME.exec(token)
  if (!scheme) return []
  const url = parsed(token)
  const rest = token.slice(scheme[0].length)
  // WHATWG's authority ends at the first / ? # (or \); its user info at the last @ in it.
  const authorityEnd = url ? rest.search(/[/?#\\]/) : -1
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd)
  const at = authority.lastIndexOf('@')
  if (at < 0) return []
  const typed = authority.slice(0, at)
  const colon = typed.indexOf(':')
  const typedSecret = colon >= 0 ? typed.slice(colon + 1) : typed
  const secrets = [typedSecret, decoded(typedSecret)]
  if (url) {
    const written = url.password || (colon < 0 ? url.username : '')
    secrets.push(written, decoded(written))
  }
  return [...new Set(secrets.filter(Boolean))]
}

/** Reads one URL token of `urls`; throws BadUrl, whose text shows no secret. */
export function parseTargetUrl(text: string): TargetUrl {
  const url = parsed(text)
  if (!url) {
    const hasUserinfo = /@/.test(text.replace(SCHEME, ''))
    throw new BadUrl(
      shownUnparsed(text),
      'is not a valid URL',
      hasUserinfo
        ? 'A #, / or ? in a user name or password ends it early: write it as %23, %2F or %3F'
        : undefined
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadUrl(shownOf(url), 'is not an http:// or https:// URL')
  }
  const authorization =
    url.username || url.password
      ? `Basic ${Buffer.from(`${decoded(url.username)}:${decoded(url.password)}`).toString('base64')}`
      : undefined
  const shown = shownOf(url)
  url.username = ''
  url.password = ''
  url.hash = ''
  return { href: url.href, authorization, shown }
}

/**
 * A text for display (an error, a body that quotes the request) with the
 * request's URL in its shown form and its query's values as ***.
 */
export function hideUrlIn(text: string, href: string): string {
  const url = parsed(href)
  if (!text || !url) return text
  let out = text.split(href).join(shownOf(url))
  if (url.search.length > 1)
    out = out.split(url.search.slice(1)).join(shownQuery(url.search).slice(1))
  return out
}
