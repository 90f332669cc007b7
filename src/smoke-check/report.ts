import * as core from '@actions/core'
import { summaryRow } from '../core/html.js'
import type { CheckResult } from './check.js'
import { clip } from './expectations.js'
import { logRemote } from '../core/log.js'

/** A certificate closer to its end than this is a warning. */
export const CERTIFICATE_WARNING_DAYS = 14

/** Logs each certificate's expiry once per host, as a warning when it is near. */
export function reportCertificates(results: readonly CheckResult[]): void {
  const seen = new Set<string>()
  for (const { certificate } of results) {
    if (!certificate || seen.has(certificate.host)) continue
    seen.add(certificate.host)
    const text = `TLS certificate of ${certificate.host} expires in ${certificate.daysLeft} days (${certificate.validTo})`
    if (certificate.daysLeft < CERTIFICATE_WARNING_DAYS) core.warning(text)
    else logRemote(text)
  }
}

/** One annotation per failing URL: what was expected and what came back. */
export function annotateFailures(results: readonly CheckResult[]): void {
  for (const r of results.filter(r => !r.passed)) {
    const body = r.body ? `; body: ${JSON.stringify(r.body)}` : ''
    core.error(`${r.reason}${body}`, {
      title: clip(`smoke-check failed: ${r.method} ${r.url} from ${r.from}`, 200)
    })
  }
}

export function setResultOutputs(results: readonly CheckResult[]): void {
  core.setOutput('passed', String(results.length > 0 && results.every(r => r.passed)))
  core.setOutput('results', JSON.stringify(results))
}

function resultCell(r: CheckResult): string {
  const cert = r.certificate ? ` (certificate: ${r.certificate.daysLeft} days left)` : ''
  const notice = r.notice ? `; ${r.notice}` : ''
  return r.passed
    ? `✅ passed${cert}${notice}`
    : `❌ ${clip(r.reason ?? 'failed', 300)}${cert}${notice}`
}

/** The job summary: one row per URL and place it was checked from. */
export async function writeSummary(
  results: readonly CheckResult[],
  elapsedMs: number
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const passed = results.filter(r => r.passed).length
  const rows = results.map(r =>
    summaryRow([
      `${r.method} ${r.url}`,
      r.from,
      String(r.attempts),
      r.status === undefined ? '—' : String(r.status),
      r.latencyMs === undefined ? '—' : `${r.latencyMs} ms`,
      resultCell(r)
    ])
  )
  await core.summary
    .addHeading('Smoke check', 3)
    .addTable([
      ['URL', 'from', 'attempts', 'status', 'latency', 'result'].map(data => ({
        data,
        header: true
      })),
      ...rows
    ])
    .addRaw(`${passed} of ${results.length} passed in ${(elapsedMs / 1000).toFixed(1)}s`, true)
    .write()
}
