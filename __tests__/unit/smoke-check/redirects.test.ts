import { describe, expect, it } from '@jest/globals'
import { parseStatusSpec } from '../../../src/smoke-check/expectations.js'
import {
  firstRequest,
  followRedirects,
  HttpRequest,
  MAX_REDIRECTS,
  redirectedRequest
} from '../../../src/smoke-check/redirects.js'
import type { UrlCheck } from '../../../src/smoke-check/settings.js'

const TOKEN = { name: 'X-Token', value: 'tok' }
const AUTH = { name: 'Authorization', value: 'Basic ZDpw' }

function request(url: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return { method: 'GET', url, headers: [TOKEN, AUTH], ...extra }
}

describe('where the headers go after a redirect', () => {
  const origin = 'https://app.example.com'

  it.each([
    ['/next', 'https://app.example.com/next'],
    ['next?x=1#frag', 'https://app.example.com/a/next?x=1'],
    ['https://APP.example.com:443/b', 'https://app.example.com/b']
  ])('keeps them within the origin: %s', (location, url) => {
    expect(redirectedRequest(request(`${origin}/a/b`), 302, location, origin)).toEqual(request(url))
  })

  it.each([
    ['another host', 'https://other.example.com/'],
    ['another port', 'https://app.example.com:8443/'],
    ['a downgrade to http', 'http://app.example.com/'],
    ['credentials of its own', 'https://u:p@other.example.com/']
  ])('drops them for %s', (_what, location) => {
    const next = redirectedRequest(request(`${origin}/`), 301, location, origin)
    expect(next?.headers).toEqual([])
    expect(next?.url).not.toContain('u:p')
  })

  it('keeps them dropped when the chain comes back to the origin', () => {
    const away = redirectedRequest(request(`${origin}/`), 302, 'http://evil.example/', origin)!
    expect(redirectedRequest(away, 302, `${origin}/back`, origin)?.headers).toEqual([])
  })

  it('turns 303, and 301 or 302 after a POST, into GET; keeps the method for 307, 308 and HEAD', () => {
    const post = request(`${origin}/`, { method: 'POST' })
    const method = (req: HttpRequest, status: number) =>
      redirectedRequest(req, status, '/x', origin)?.method
    expect([301, 302, 303, 307, 308].map(s => method(post, s))).toEqual([
      'GET',
      'GET',
      'GET',
      'POST',
      'POST'
    ])
    expect(method(request(`${origin}/`, { method: 'PUT' }), 303)).toBe('GET')
    expect(method(request(`${origin}/`, { method: 'PUT' }), 302)).toBe('PUT')
    expect(method(request(`${origin}/`, { method: 'HEAD' }), 303)).toBe('HEAD')
  })

  it('follows nothing but a redirect status with an http(s) location', () => {
    const req = request(`${origin}/`)
    expect(redirectedRequest(req, 200, '/x', origin)).toBeUndefined()
    expect(redirectedRequest(req, 304, '/x', origin)).toBeUndefined()
    expect(redirectedRequest(req, 302, undefined, origin)).toBeUndefined()
    expect(redirectedRequest(req, 302, 'ftp://app.example.com/', origin)).toBeUndefined()
    expect(redirectedRequest(req, 302, 'http://[bad', origin)).toBeUndefined()
  })
})

describe('following', () => {
  function server(routes: Record<string, string>) {
    const sent: HttpRequest[] = []
    const send = async (req: HttpRequest) => {
      sent.push(req)
      const location = routes[req.url]
      return location ? { status: 302, location } : { status: 200 }
    }
    return { sent, send }
  }

  it('says where headers and credentials were not sent', async () => {
    const { sent, send } = server({
      'http://a.test/': 'http://a.test/same',
      'http://a.test/same': 'http://b.test:81/elsewhere'
    })
    const out = await followRedirects(request('http://a.test/'), true, send)
    expect(sent.map(r => [r.url, r.headers.length])).toEqual([
      ['http://a.test/', 2],
      ['http://a.test/same', 2],
      ['http://b.test:81/elsewhere', 0]
    ])
    expect(out.notice).toBe(
      'headers and credentials were not sent to http://b.test:81, another origin the redirect led to'
    )
  })

  it('says nothing when there was nothing to drop, or nothing was followed', async () => {
    const { send } = server({ 'http://a.test/': 'http://b.test/' })
    expect(
      (await followRedirects(request('http://a.test/', { headers: [] }), true, send)).notice
    ).toBeUndefined()
    const kept = await followRedirects(request('http://a.test/'), false, send)
    expect(kept).toEqual({ response: { status: 302, location: 'http://b.test/' } })
  })

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    let n = 0
    const out = await followRedirects(request('http://a.test/0'), true, async () => ({
      status: 302,
      location: `/${++n}`
    }))
    expect(n).toBe(MAX_REDIRECTS + 1)
    expect(out.response.status).toBe(302)
  })
})

describe('the first request', () => {
  const check: UrlCheck = {
    method: 'GET',
    url: 'http://a.test/',
    authorization: 'Basic ZDpw',
    shownUrl: 'http://d:***@a.test/',
    expect: { status: parseStatusSpec('2xx', 'expect-status'), json: [], maxLatencyMs: 0 }
  }

  it('sends the URL’s credentials as Authorization, unless headers sets one', () => {
    expect(firstRequest(check, [TOKEN]).headers).toEqual([TOKEN, AUTH])
    const own = { name: 'authorization', value: 'Bearer mine' }
    expect(firstRequest(check, [own]).headers).toEqual([own])
    expect(firstRequest({ ...check, authorization: undefined }, []).headers).toEqual([])
  })
})
