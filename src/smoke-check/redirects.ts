import type { Header, HttpMethod } from '../commands/http-probe.js'
import type { UrlCheck } from './settings.js'

export const MAX_REDIRECTS = 10
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

/** One request as it is sent; credentials are among the headers, never in the URL. */
export interface HttpRequest {
  method: HttpMethod
  url: string
  headers: readonly Header[]
}

/** The first request for a check: the `headers` input, and the URL's credentials unless it sets Authorization. */
export function firstRequest(check: UrlCheck, headers: readonly Header[]): HttpRequest {
  const ownAuthorization = headers.some(h => h.name.toLowerCase() === 'authorization')
  return {
    method: check.method,
    url: check.url,
    headers:
      check.authorization && !ownAuthorization
        ? [...headers, { name: 'Authorization', value: check.authorization }]
        : headers
  }
}

/**
 * The request a redirect leads to, or undefined when the response is not
 * one to follow. Headers and credentials go only to the origin (scheme, host
 * and port) they were given for: once a redirect leaves it, they are dropped
 * for the rest of the chain. curl's --location would send custom headers to
 * every host, and drop only Authorization and Cookie.
 */
export function redirectedRequest(
  current: HttpRequest,
  status: number,
  location: string | undefined,
  origin: string
): HttpRequest | undefined {
  if (!REDIRECT_STATUSES.has(status) || !location) return undefined
  let next: URL
  try {
    next = new URL(location, current.url)
  } catch {
    return undefined
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return undefined
  next.username = ''
  next.password = ''
  next.hash = ''
  // As browsers and curl do: 303 turns into GET, and so do 301 and 302 after a POST.
  const toGet =
    current.method !== 'HEAD' &&
    (status === 303 || ((status === 301 || status === 302) && current.method === 'POST'))
  return {
    method: toGet ? 'GET' : current.method,
    url: next.href,
    headers: next.origin === origin ? current.headers : []
  }
}

export interface Followed<R> {
  response: R
  /** Set when headers or credentials were dropped on the way, saying where to. */
  notice?: string
}

/**
 * Sends `first` and, when `follow`, each redirect after it (at most
 * MAX_REDIRECTS), with redirectedRequest's rule for the headers.
 */
export async function followRedirects<R extends { status?: number; location?: string }>(
  first: HttpRequest,
  follow: boolean,
  send: (request: HttpRequest) => Promise<R>
): Promise<Followed<R>> {
  const origin = new URL(first.url).origin
  let request = first
  let notice: string | undefined
  for (let hop = 0; ; hop++) {
    const response = await send(request)
    if (!follow || hop >= MAX_REDIRECTS || response.status === undefined) {
      return { response, notice }
    }
    const next = redirectedRequest(request, response.status, response.location, origin)
    if (!next) return { response, notice }
    if (!notice && request.headers.length > 0 && next.headers.length === 0) {
      notice = `headers and credentials were not sent to ${new URL(next.url).origin}, another origin the redirect led to`
    }
    request = next
  }
}
