import { describe, expect, it } from '@jest/globals'
import { failureMessage } from '../../../src/run-tests/report.js'
import { TestResults } from '../../../src/run-tests/results.js'

describe('failureMessage', () => {
  const results = (failed: number, names: string[]): TestResults => ({
    source: 'JUnit report junit.xml',
    counts: { passed: 5, failed, skipped: 1 },
    cases: names.map(name => ({ name, outcome: 'failed' as const }))
  })
  const failures = (names: string[]) =>
    names.map(name => ({ test: { name, outcome: 'failed' as const } }))

  it('names the failed tests in its first line', () => {
    expect(
      failureMessage(results(2, ['a.test_x', 'b.test_y']), failures(['a.test_x', 'b.test_y']), 1)
    ).toBe('2 of 8 test(s) failed: a.test_x, b.test_y')
  })

  it('names ten and counts the rest', () => {
    const names = Array.from({ length: 12 }, (_, i) => `t${i}`)
    expect(failureMessage(results(12, names), failures(names), 1)).toBe(
      '12 of 18 test(s) failed: t0, t1, t2, t3, t4, t5, t6, t7, t8, t9 and 2 more'
    )
  })

  it('fails on a non-zero exit without failed tests, and passes otherwise', () => {
    expect(failureMessage(results(0, []), [], 2)).toMatch(
      /exited with code 2, though JUnit report junit.xml shows no failed test/
    )
    expect(failureMessage(undefined, [], 1)).toMatch(
      /exited with code 1 and no test results were found/
    )
    expect(failureMessage(results(0, []), [], 0)).toBeUndefined()
    expect(failureMessage(undefined, [], 0)).toBeUndefined()
  })
})
