import * as http from 'node:http'
import * as https from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { CertificateInfo, Probe, ProbeResponse } from './probe.js'
import { firstRequest, followRedirects, HttpRequest } from './redirects.js'
import type { SmokeSettings, UrlCheck } from './settings.js'
import { hideUrlIn } from './target-url.js'

const MAX_BODY_BYTES = 1024 * 1024
const DAY_MS = 24 * 60 * 60 * 1000
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
  { method, url: href, headers }: HttpRequest,
  insecureTls: boolean,
  budgetMs: number
): Promise<Hop> {
  const url = new URL(href)
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

/**
 * Requests a URL from the runner with Node's own client, following redirects
 * when asked; headers and credentials stay with the origin they were given for.
 */
export async function requestFromRunner(
  check: UrlCheck,
  settings: Pick<SmokeSettings, 'headers' | 'followRedirects' | 'insecureTls'>,
  timeoutMs: number
): Promise<ProbeResponse> {
  const started = performance.now()
  let url = check.url
  try {
    const { response, notice } = await followRedirects(
      firstRequest(check, settings.headers),
      settings.followRedirects,
      request => {
        url = request.url
        const budget = timeoutMs - (performance.now() - started)
        if (budget <= 0) throw new RequestTimeout()
        return requestOnce(request, settings.insecureTls, budget)
      }
    )
    return {
      status: response.status,
      body: response.body,
      latencyMs: Math.round(performance.now() - started),
      certificate: response.certificate,
      notice
    }
  } catch (err) {
    return {
      body: '',
      latencyMs: Math.round(performance.now() - started),
      error: hideUrlIn(describeError(err, timeoutMs), url)
    }
  }
}

export function runnerProbe(
  settings: Pick<SmokeSettings, 'headers' | 'followRedirects' | 'insecureTls'>
): Probe {
  return (check, timeoutMs) => requestFromRunner(check, settings, timeoutMs)
}
