import { describe, expect, it } from '@jest/globals'
import type { CheckResult } from '../../../src/smoke-check/check.js'
import {
  annotateFailures,
  reportCertificates,
  setResultOutputs,
  writeSummary
} from '../../../src/smoke-check/report.js'
import { renderSummary, summaryRows, summaryText } from '../../helpers/rendered-summary.js'
import { runnerFiles } from '../../helpers/runner-files.js'

const onRunner = runnerFiles()

const PASSED: CheckResult = {
  method: 'GET',
  url: 'https://app.example.com/health?token=***',
  from: 'runner',
  passed: true,
  attempts: 2,
  status: 200,
  latencyMs: 12,
  certificate: { host: 'app.example.com', validTo: 'Jan 10 12:00:00 2027 GMT', daysLeft: 40 }
}
const FAILED: CheckResult = {
  method: 'HEAD',
  url: 'http://127.0.0.1/ready',
  from: 'server deploy@web1',
  passed: false,
  attempts: 3,
  status: 503,
  reason: 'HTTP status: expected 2xx, got 503; gave up after 3 attempt(s)',
  body: 'maintenance'
}

describe('reportCertificates', () => {
  it('warns about a certificate near its end and logs the others, once per host', async () => {
    const near = { host: 'api.example.com', validTo: 'Dec 9 2026', daysLeft: 7 }
    const { output } = await onRunner(() =>
      reportCertificates([
        PASSED,
        { ...PASSED, url: 'https://app.example.com/other' },
        { ...PASSED, certificate: near },
        FAILED
      ])
    )
    expect(output.split('\n').filter(line => line.includes('TLS certificate'))).toEqual([
      'TLS certificate of app.example.com expires in 40 days (Jan 10 12:00:00 2027 GMT)',
      '::warning::TLS certificate of api.example.com expires in 7 days (Dec 9 2026)'
    ])
  })
})

describe('annotateFailures', () => {
  it('annotates each failed URL with what was expected, what came back and where from', async () => {
    const { output } = await onRunner(() => annotateFailures([PASSED, FAILED]))
    const errors = output.split('\n').filter(line => line.startsWith('::error'))
    expect(errors).toEqual([
      '::error title=smoke-check failed%3A HEAD http%3A//127.0.0.1/ready from server deploy@web1::' +
        'HTTP status: expected 2xx, got 503; gave up after 3 attempt(s); body: "maintenance"'
    ])
  })
})

describe('setResultOutputs', () => {
  it('passes only when every check passed, and lists every result', async () => {
    const both = await onRunner(() => setResultOutputs([PASSED, FAILED]))
    expect(both.outputs.passed).toBe('false')
    expect(JSON.parse(both.outputs.results)).toEqual([PASSED, FAILED])
    expect((await onRunner(() => setResultOutputs([PASSED]))).outputs.passed).toBe('true')
  })

  it('does not pass when nothing was checked', async () => {
    expect((await onRunner(() => setResultOutputs([]))).outputs.passed).toBe('false')
  })
})

describe('writeSummary', () => {
  it('shows one row per URL and place, and how many passed in what time', async () => {
    const { summary } = await onRunner(() => writeSummary([PASSED, FAILED], 4250))
    expect(renderSummary(summary)).toContain('<h3>Smoke check</h3>')
    expect(summaryRows(summary)).toEqual([
      ['URL', 'from', 'attempts', 'status', 'latency', 'result'],
      [
        'GET https://app.example.com/health?token=***',
        'runner',
        '2',
        '200',
        '12 ms',
        '✅ passed (certificate: 40 days left)'
      ],
      [
        'HEAD http://127.0.0.1/ready',
        'server deploy@web1',
        '3',
        '503',
        '—',
        '❌ HTTP status: expected 2xx, got 503; gave up after 3 attempt(s)'
      ]
    ])
    expect(summaryText(summary)).toContain('1 of 2 passed in 4.3s')
  })

  it('keeps a long reason to 300 characters', async () => {
    const { summary } = await onRunner(() =>
      writeSummary([{ ...FAILED, reason: 'x'.repeat(1000) }], 0)
    )
    expect(summaryText(summary)).not.toContain('x'.repeat(301))
    expect(summaryText(summary)).toContain('x'.repeat(290))
  })
})
