import type { UrlCheck } from './settings.js'

export interface CertificateInfo {
  /** Host name the certificate was presented for. */
  host: string
  validTo: string
  daysLeft: number
}

/** The outcome of one request, from the runner, a server or a container. */
export interface ProbeResponse {
  /** Absent when no HTTP response came back (refused, timed out, TLS rejected…). */
  status?: number
  body: string
  latencyMs?: number
  /** Why there is no response. */
  error?: string
  /** Retrying cannot help (e.g. the container has no HTTP client). */
  fatal?: boolean
  /** The HTTP client that made the request on a server or in a container. */
  client?: string
  certificate?: CertificateInfo
  /** Something the result should say, e.g. that a redirect's target got no headers. */
  notice?: string
}

/** Makes one request for a check, giving up after `timeoutMs`. */
export type Probe = (check: UrlCheck, timeoutMs: number) => Promise<ProbeResponse>
