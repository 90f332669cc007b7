import { describe, expect, it } from '@jest/globals'
import { parseJUnit } from '../../../src/run-tests/junit.js'
import { fixture } from '../../helpers/run-tests-fixtures.js'

describe('parseJUnit', () => {
  it("reads Node's junit reporter: suites, failures, skips and todos", () => {
    const r = parseJUnit(fixture('node-junit.xml'), 'JUnit report junit.xml')
    expect(r.counts).toEqual({ passed: 1, failed: 1, skipped: 2 })
    expect(r.cases.map(c => [c.name, c.outcome])).toEqual([
      ['math › adds', 'passed'],
      ['math › fails', 'failed'],
      ['math › skips', 'skipped'],
      ['math › todo one', 'skipped']
    ])
    const failed = r.cases[1]
    expect(failed.message).toBe('2 == 3')
    expect(failed.details).toContain('file:///tmp/nj/a.test.mjs:5:32')
    expect(r.cases[2].message).toBe('later')
    expect(r.seconds).toBeCloseTo(0.004414)
  })

  it("reads pytest's xunit1 report with file and line, and decoded failure text", () => {
    const r = parseJUnit(fixture('pytest-junit.xml'), 'pytest')
    expect(r.counts).toEqual({ passed: 0, failed: 2, skipped: 1 })
    expect(r.cases[0]).toMatchObject({
      name: 'tests.test_x.TestCart.test_a',
      outcome: 'failed',
      file: 'tests/test_x.py',
      line: 3,
      message: 'assert 1 == 2'
    })
    expect(r.cases[0].details).toContain('tests/test_x.py:5: AssertionError')
    expect(r.cases[1]).toMatchObject({
      name: 'tests.test_x.test_b',
      outcome: 'skipped',
      message: 'later'
    })
    expect(r.cases[2].message).toBe('RuntimeError: boom <x> & y')
    expect(r.seconds).toBeCloseTo(0.032)
  })

  it('reads a bare testsuite root, nested suites and <error> as a failure', () => {
    const r = parseJUnit(
      `<testsuite name="unit" time="1.5">
         <testcase classname="app.Cart" name="adds" time="0.1"/>
         <testsuite name="inner">
           <testcase name="boots"><error message="NullPointerException">trace</error></testcase>
         </testsuite>
       </testsuite>`,
      'r'
    )
    expect(r.cases.map(c => [c.name, c.outcome, c.message])).toEqual([
      ['app.Cart.adds', 'passed', undefined],
      ['inner › boots', 'failed', 'NullPointerException']
    ])
    expect(r.seconds).toBe(1.5)
  })

  it('falls back to the failure text when the message attribute is missing', () => {
    const r = parseJUnit(
      '<testsuites><testsuite name="s"><testcase name="t"><failure>\n  Expected 1\n  got 2</failure></testcase></testsuite></testsuites>',
      'r'
    )
    expect(r.cases[0].message).toBe('Expected 1')
  })

  it('rejects a document that is not a JUnit report', () => {
    expect(() => parseJUnit('<html></html>', 'r')).toThrow(/the root element is <html>/)
  })
})
