import { cancellation } from '../core/cancellation.js'
import { trimmedBody, unmetExpectations } from './expectations.js'
import type { CertificateInfo, Probe, ProbeResponse } from './probe.js'
import type { HttpMethod } from '../commands/http-probe.js'
import type { Timing, UrlCheck } from './settings.js'
import { hideUrlIn } from './target-url.js'

/** One URL checked from one place, as reported in the `results` output. */
export interface CheckResult {
  method: HttpMethod
  /** Credentials replaced by ***. */
  url: string
  /** `runner`, `server root@host` or `container:api root@host`. */
  from: string
  passed: boolean
  attempts: number
  status?: number
  latencyMs?: number
  /** Why it failed: every unmet expectation of the last attempt, and why checking stopped. */
  reason?: string
  /** The last body, trimmed, when it failed. */
  body?: string
  client?: string
  certificate?: CertificateInfo
  /** Said of the last attempt, e.g. that a redirect's target got no headers or credentials. */
  notice?: string
}

/** Longest pause between two attempts, however many came before. */
const MAX_BACKOFF_MS = 15_000
/** Below this much time left, another attempt could not get an answer anyway. */
const MIN_ATTEMPT_MS = 250

/** The pause after `attempt` failed: retry-delay doubled each time, with jitter in its upper half. */
export function backoffDelay(retryDelayMs: number, attempt: number, random = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, retryDelayMs * 2 ** (attempt - 1))
  return Math.round(base / 2 + (base / 2) * random())
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

function outcomeText(response: ProbeResponse, reasons: string[]): string {
  const got =
    response.status === undefined
      ? 'no response'
      : `${response.status}${response.latencyMs === undefined ? '' : ` in ${response.latencyMs} ms`}`
  const outcome = reasons.length === 0 ? `${got}: passed` : `${got}: ${reasons.join('; ')}`
  return response.notice ? `${outcome}; ${response.notice}` : outcome
}

export interface CheckRun {
  check: UrlCheck
  from: string
  probe: Probe
  timing: Timing
  /** Date.now() after which nothing more is tried. */
  deadline: number
  log: (line: string) => void
}

/**
 * Tries one URL until it passes, max-attempts is used up, retrying cannot
 * help, or the deadline comes. Each request is cut off at the deadline, so a
 * URL that never answers ends at wait-timeout, not after the sum of timeouts.
 */
export async function checkUntilPassing(run: CheckRun): Promise<CheckResult> {
  const { check, timing, deadline } = run
  const label = `${check.method} ${check.shownUrl} (${run.from})`
  let attempts = 0
  let last: ProbeResponse | undefined
  let reasons: string[] = []
  let stop = ''
  for (;;) {
    const left = deadline - Date.now()
    if (left < Math.min(MIN_ATTEMPT_MS, timing.timeoutMs)) {
      stop = `wait-timeout (${timing.waitTimeoutMs / 1000}s) reached after ${attempts} attempt(s)`
      break
    }
    attempts++
    last = await run.probe(check, Math.min(timing.timeoutMs, left))
    reasons =
      last.error !== undefined || last.status === undefined
        ? [last.error ?? 'no response']
        : unmetExpectations(check.expect, {
            status: last.status,
            body: last.body,
            latencyMs: last.latencyMs
          })
    // A body may quote the request, query values and all; they are shown as *** like the URL.
    reasons = reasons.map(r => hideUrlIn(r, check.url))
    run.log(`${label} attempt ${attempts}/${timing.maxAttempts}: ${outcomeText(last, reasons)}`)
    if (reasons.length === 0) break
    if (last.fatal) {
      stop = 'not retried: retrying cannot help'
      break
    }
    if (attempts >= timing.maxAttempts) {
      stop = `gave up after ${attempts} attempt(s)`
      break
    }
    if (cancellation.requested) {
      stop = `not retried: the run was cancelled (${cancellation.signal})`
      break
    }
    let pause = backoffDelay(timing.retryDelayMs, attempts)
    const remaining = deadline - Date.now()
    // A pause past the deadline would waste the last chance: keep room for one more attempt.
    if (pause >= remaining)
      pause = Math.max(0, remaining - Math.min(timing.timeoutMs, remaining / 2))
    await sleep(pause)
  }
  const passed = attempts > 0 && reasons.length === 0
  return {
    method: check.method,
    url: check.shownUrl,
    from: run.from,
    passed,
    attempts,
    status: last?.status,
    latencyMs: last?.latencyMs,
    reason: passed ? undefined : [...reasons, stop].join('; '),
    body: passed || !last?.body ? undefined : hideUrlIn(trimmedBody(last.body), check.url),
    client: last?.client,
    certificate: last?.certificate,
    notice: last?.notice
  }
}
