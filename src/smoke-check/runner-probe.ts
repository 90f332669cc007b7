import * as http from 'node:http'
import * as https from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { CertificateInfo, Probe, ProbeResponse } from './probe.js'
import type { Header, HttpMethod, SmokeSettings, UrlCheck } from './settings.js'
import { hideUrlIn } from './target-url.js'

const MAX_REDIRECTS = 10
const MAX_BODY_BYTES = 1024 * 1024
const DAY_MS = 24 * 60 * 60 * 1000
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const SENDS_EMPTY_BODY = new Set(['POST', 'PUT', 'PATCH'])

interface Hop {
  status: number
  body: string
  location?: string
  certificate?: CertificateInfo
}

class RequestTimeout extends Error {}

function certificateOf(socket: unknown, host: string): CertificateInfo | undefined {
  const tls = socket as Partial<TLSSocket> | null
  if (!tls || typeof tls.getPeerCertificate !== 'function') return undefined
  const cert = tls.getPeerCertificate()
  if (!cert || !cert.valid_to) return undefined
  const daysLeft = Math.floor((Date.parse(cert.valid_to) - Date.now()) / DAY_MS)
  return { host, validTo: cert.valid_to, daysLeft }
}

function requestOnce(
  url: URL,
  method: HttpMethod,
  headers: readonly Header[],
  insecureTls: boolean,
  budgetMs: number
): Promise<Hop> {
  return new Promise((resolve, reject) => {
    let settled = false
    const settle = (fn: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
    }
    const fields: Record<string, string> = {}
    for (const h of headers) fields[h.name] = h.value
    if (SENDS_EMPTY_BODY.has(method)) fields['content-length'] = '0'
    const lib = url.protocol === 'https:' ? https : http
    const req = lib.request(
      url,
      // A fresh connection each time, so every attempt sees the live certificate and server.
      { method, headers: fields, agent: false, rejectUnauthorized: !insecureTls },
      res => {
        const certificate = certificateOf(res.socket, url.hostname)
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          if (size >= MAX_BODY_BYTES) return
          chunks.push(chunk)
          size += chunk.length
        })
        res.on('error', err => settle(() => reject(err)))
        res.on('end', () =>
          settle(() =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              location: res.headers.location,
              certificate
            })
          )
        )
      }
    )
    const timer = setTimeout(() => req.destroy(new RequestTimeout()), Math.max(1, budgetMs))
    req.on('error', err => settle(() => reject(err)))
    req.end()
  })
}

const TLS_TRUST = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS/

function describeError(err: unknown, timeoutMs: number): string {
  if (err instanceof RequestTimeout) {
    return `no complete response within ${(timeoutMs / 1000).toFixed(1)}s`
  }
  const e = err as NodeJS.ErrnoException
  if (e.code && TLS_TRUST.test(e.code)) {
    return `TLS certificate not accepted: ${e.message} (${e.code}); set insecure-tls: true to accept it anyway`
  }
  return e.message || String(err)
}

/** The headers input, and the URL's credentials as Authorization unless it sets one. */
export function withCredentials(check: UrlCheck, headers: readonly Header[]): readonly Header[] {
  if (!check.authorization || headers.some(h => h.name.toLowerCase() === 'authorization'))
    return headers
  return [...headers, { name: 'Authorization', value: check.authorization }]
}

/**
 * Requests a URL from the runner with Node's own client, following redirects
 * when asked. Headers go only to the host they were given for: a redirect to
 * another host gets none (a Host or token header is not meant for it).
 */
export async function requestFromRunner(
  target: UrlCheck,
  settings: Pick<SmokeSettings, 'headers' | 'followRedirects' | 'insecureTls'>,
  timeoutMs: number
): Promise<ProbeResponse> {
  const started = performance.now()
  let url = new URL(target.url)
  let method = target.method
  let headers = withCredentials(target, settings.headers)
  try {
    for (let hop = 0; ; hop++) {
      const budget = timeoutMs - (performance.now() - started)
      if (budget <= 0) throw new RequestTimeout()
      const follow = settings.followRedirects && hop < MAX_REDIRECTS
      const res = await requestOnce(url, method, headers, settings.insecureTls, budget)
      if (follow && REDIRECTS.has(res.status) && res.location) {
        const next = new URL(res.location, url)
        if (next.protocol === 'http:' || next.protocol === 'https:') {
          if (res.status === 303 || (res.status !== 307 && res.status !== 308 && method === 'POST'))
            method = 'GET'
          if (next.hostname !== url.hostname) headers = []
          url = next
          continue
        }
      }
      return {
        status: res.status,
        body: res.body,
        latencyMs: Math.round(performance.now() - started),
        certificate: res.certificate
      }
    }
  } catch (err) {
    return {
      body: '',
      latencyMs: Math.round(performance.now() - started),
      error: hideUrlIn(describeError(err, timeoutMs), url.href)
    }
  }
}

export function runnerProbe(
  settings: Pick<SmokeSettings, 'headers' | 'followRedirects' | 'insecureTls'>
): Probe {
  return (check, timeoutMs) => requestFromRunner(check, settings, timeoutMs)
}
