import { describe, expect, it } from '@jest/globals'
import { backoffDelay } from '../../../src/smoke-check/check.js'

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
