import { describe, expect, it } from '@jest/globals'
import {
  Expectations,
  parseBodyPattern,
  parseJsonExpectation,
  parseStatusSpec,
  statusMatches,
  unmetExpectations
} from '../../../src/smoke-check/expectations.js'

function expectations(extra: Partial<Expectations> = {}): Expectations {
  return { status: parseStatusSpec('2xx', 'expect-status'), json: [], maxLatencyMs: 0, ...extra }
}

const READY_DOWN = JSON.stringify({
  status: 'degraded',
  components: { database: 'down', redis: 'ok' },
  replicas: 3,
  healthy: false,
  items: [{ name: 'first' }]
})

describe('status', () => {
  it.each([
    ['200', 200, true],
    ['200', 201, false],
    ['2xx', 204, true],
    ['2xx', 301, false],
    ['2XX', 299, true],
    ['200,204', 204, true],
    ['200, 3xx', 302, true],
    ['200-299', 250, true],
    ['200-299', 300, false],
    ['401,403', 200, false]
  ])('%s accepts %d: %s', (spec, code, ok) => {
    expect(statusMatches(parseStatusSpec(spec, 'expect-status'), code)).toBe(ok)
  })

  it('says what was expected and what came back', () => {
    expect(unmetExpectations(expectations(), { status: 503, body: '' })).toEqual([
      'HTTP status: expected 2xx, got 503'
    ])
  })
})

describe('JSON paths', () => {
  const json = (...lines: string[]) => lines.map(l => parseJsonExpectation(l, 'expect-json'))

  it('passes when every path holds its value, comparing as text', () => {
    expect(
      unmetExpectations(
        expectations({
          json: json(
            'components.redis=ok',
            'replicas=3',
            'healthy=false',
            'items.0.name=first',
            'items[0].name=first',
            '$.status=degraded'
          )
        }),
        { status: 200, body: READY_DOWN }
      )
    ).toEqual([])
  })

  it('names the path, the expected value and the value found', () => {
    expect(
      unmetExpectations(
        expectations({ json: json('status=ok', 'components.database=ok', 'replicas=2') }),
        { status: 503, body: READY_DOWN }
      )
    ).toEqual([
      'HTTP status: expected 2xx, got 503',
      'status: expected "ok", got "degraded"',
      'components.database: expected "ok", got "down"',
      'replicas: expected "2", got 3'
    ])
  })

  it('says when a path is missing or the body is not JSON', () => {
    const want = expectations({ json: json('components.queue=ok', 'status.code=1') })
    expect(unmetExpectations(want, { status: 200, body: READY_DOWN })).toEqual([
      'components.queue: expected "ok", got nothing (no such path)',
      'status.code: expected "1", got nothing (no such path)'
    ])
    expect(unmetExpectations(want, { status: 200, body: '<html>oops</html>' })).toEqual([
      'body: expected JSON, got "<html>oops</html>"'
    ])
    expect(unmetExpectations(want, { status: 200, body: '' })).toEqual([
      'body: expected JSON, got an empty body'
    ])
  })

  it('keeps = in values', () => {
    expect(parseJsonExpectation('query=a=b', 'expect-json')).toEqual({
      path: 'query',
      keys: ['query'],
      value: 'a=b'
    })
  })
})

describe('body and latency', () => {
  it('matches the body against a regular expression, with /flags/', () => {
    const want = expectations({ body: parseBodyPattern('/"status":\\s*"OK"/i', 'expect-body') })
    expect(unmetExpectations(want, { status: 200, body: '{"status": "ok"}' })).toEqual([])
    expect(unmetExpectations(want, { status: 200, body: 'maintenance  mode\n' })).toEqual([
      'body: expected to match /"status":\\s*"OK"/i, got "maintenance mode"'
    ])
  })

  it('trims a long body in the reason', () => {
    const want = expectations({ body: parseBodyPattern('never', 'expect-body') })
    const [reason] = unmetExpectations(want, { status: 200, body: 'x'.repeat(5000) })
    expect(reason.length).toBeLessThan(260)
    expect(reason).toContain('…')
  })

  it('fails a response slower than max-latency-ms', () => {
    const want = expectations({ maxLatencyMs: 500 })
    expect(unmetExpectations(want, { status: 200, body: '', latencyMs: 499 })).toEqual([])
    expect(unmetExpectations(want, { status: 200, body: '', latencyMs: 812.4 })).toEqual([
      'latency: expected at most 500 ms, got 812 ms'
    ])
  })
})
