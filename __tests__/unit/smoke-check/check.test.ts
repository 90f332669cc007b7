import { describe, expect, it } from '@jest/globals'
import { mapInputs } from '../../../src/core/inputs.js'
import { backoffDelay, checkUntilPassing } from '../../../src/smoke-check/check.js'
import type { ProbeResponse } from '../../../src/smoke-check/probe.js'
import { readSmokeSettings } from '../../../src/smoke-check/settings.js'

describe('backoff', () => {
  it('doubles retry-delay after each failed attempt', () => {
    const top = () => 1
    expect([1, 2, 3, 4].map(n => backoffDelay(1000, n, top))).toEqual([1000, 2000, 4000, 8000])
  })

  it('jitters within the upper half, so parallel checks do not retry in step', () => {
    expect(backoffDelay(2000, 1, () => 0)).toBe(1000)
    expect(backoffDelay(2000, 3, () => 0.5)).toBe(6000)
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(1000, 2)
      expect(d).toBeGreaterThanOrEqual(1000)
      expect(d).toBeLessThanOrEqual(2000)
    }
  })

  it('never waits more than 15 seconds between attempts', () => {
    expect(backoffDelay(2000, 20, () => 1)).toBe(15000)
  })

  it('retries at once when retry-delay is 0', () => {
    expect(backoffDelay(0, 5, () => 1)).toBe(0)
  })
})

/**
 * Checks one URL against answers given in turn, as the probe of the runner,
 * a server or a container would return them; retries at once.
 */
async function checked(
  inputs: Record<string, string>,
  answers: ProbeResponse[],
  deadline = Date.now() + 60_000
) {
  const s = readSmokeSettings(mapInputs({ 'retry-delay': '0', ...inputs }))
  const log: string[] = []
  let asked = 0
  const result = await checkUntilPassing({
    check: s.checks[0],
    from: 'runner',
    probe: async () => answers[Math.min(asked++, answers.length - 1)],
    timing: s.timing,
    deadline,
    log: line => log.push(line)
  })
  return { result, log, asked }
}

describe('checkUntilPassing', () => {
  it('retries until the URL answers as expected and logs each attempt', async () => {
    const { result, log } = await checked({ urls: 'http://app/health', 'max-attempts': '5' }, [
      { error: 'connection refused', body: '' },
      { status: 503, body: 'starting', latencyMs: 4 },
      { status: 200, body: 'ok', latencyMs: 3 }
    ])
    expect(result).toMatchObject({ passed: true, attempts: 3, status: 200, reason: undefined })
    expect(log).toEqual([
      'GET http://app/health (runner) attempt 1/5: no response: connection refused',
      'GET http://app/health (runner) attempt 2/5: 503 in 4 ms: HTTP status: expected 2xx, got 503',
      'GET http://app/health (runner) attempt 3/5: 200 in 3 ms: passed'
    ])
  })

  it('gives up after max-attempts with every unmet expectation of the last answer', async () => {
    const { result } = await checked(
      { urls: 'http://app/health', 'max-attempts': '2', 'expect-json': 'status=ok' },
      [{ status: 500, body: '{"status":"down"}' }]
    )
    expect(result).toMatchObject({ passed: false, attempts: 2, status: 500 })
    expect(result.reason).toBe(
      'HTTP status: expected 2xx, got 500; status: expected "ok", got "down"; gave up after 2 attempt(s)'
    )
    expect(result.body).toBe('{"status":"down"}')
  })

  it('stops at once when retrying cannot help', async () => {
    const { result, asked } = await checked({ urls: 'http://app/', 'max-attempts': '5' }, [
      { error: 'the container has no HTTP client', body: '', fatal: true }
    ])
    expect(asked).toBe(1)
    expect(result.reason).toBe(
      'the container has no HTTP client; not retried: retrying cannot help'
    )
  })

  it('shows the query values of the URL as *** in the result, the body and the log', async () => {
    const { result, log } = await checked(
      { urls: 'http://app/health?token=tk-s3cret', 'max-attempts': '1' },
      [{ status: 403, body: 'bad token=tk-s3cret for http://app/health?token=tk-s3cret' }]
    )
    const shown = JSON.stringify({ result, log })
    expect(shown).not.toContain('tk-s3cret')
    expect(result.url).toBe('http://app/health?token=***')
    expect(result.body).toBe('bad token=*** for http://app/health?token=***')
  })

  it('tries nothing once the deadline has passed, and says so', async () => {
    const { result, asked } = await checked(
      { urls: 'http://app/', 'wait-timeout': '30' },
      [{ status: 200, body: '' }],
      Date.now() - 1
    )
    expect(asked).toBe(0)
    expect(result).toMatchObject({ passed: false, attempts: 0 })
    expect(result.reason).toBe('wait-timeout (30s) reached after 0 attempt(s)')
  })
})
