import { describe, expect, it } from '@jest/globals'
import { parseUnittestOutput } from '../../../src/run-tests/unittest-output.js'
import { fixture } from '../../helpers/run-tests-fixtures.js'

describe('Django / unittest output', () => {
  it('counts from the Ran and FAILED lines and names every test from -v 2', () => {
    const r = parseUnittestOutput(fixture('django-output.txt'), 'Django runner output')
    expect(r?.counts).toEqual({ passed: 1, failed: 1, skipped: 1 })
    expect(r?.seconds).toBeCloseTo(0.002)
    expect(r?.cases).toEqual([
      expect.objectContaining({
        name: 'shop.tests.CartTests.test_discount_applies',
        outcome: 'failed',
        message: 'AssertionError: 90 != 91 : ten percent off',
        details: expect.stringContaining('File "/tmp/dj/app/shop/tests.py", line 13')
      }),
      {
        name: 'shop.tests.CartTests.test_payment',
        outcome: 'skipped',
        message: 'payment sandbox is down'
      },
      { name: 'shop.tests.CartTests.test_total_adds_prices', outcome: 'passed' }
    ])
  })

  it('reads the pre-3.11 test names and errors next to failures', () => {
    const output = [
      'test_a (app.tests.T) ... ERROR',
      'test_b (app.tests.T) ... ok',
      '',
      '======================================================================',
      'ERROR: test_a (app.tests.T)',
      '----------------------------------------------------------------------',
      'Traceback (most recent call last):',
      '  File "/src/app/tests.py", line 4, in test_a',
      '    boom()',
      '    ^^^^^^',
      "NameError: name 'boom' is not defined",
      '',
      '----------------------------------------------------------------------',
      'Ran 2 tests in 0.010s',
      '',
      'FAILED (errors=1)'
    ].join('\n')
    const r = parseUnittestOutput(output, 'unittest')
    expect(r?.counts).toEqual({ passed: 1, failed: 1, skipped: 0 })
    expect(r?.cases[0]).toMatchObject({
      name: 'app.tests.T.test_a',
      outcome: 'failed',
      message: "NameError: name 'boom' is not defined"
    })
  })

  it('reads a passing run, and nothing from output without a Ran line', () => {
    expect(
      parseUnittestOutput('Ran 4 tests in 1.5s\n\nOK (skipped=1, expected failures=1)', 'u')
    ).toEqual({
      source: 'u',
      counts: { passed: 3, failed: 0, skipped: 1 },
      cases: [],
      seconds: 1.5
    })
    expect(parseUnittestOutput('ImportError: no module named django', 'u')).toBeUndefined()
  })
})
