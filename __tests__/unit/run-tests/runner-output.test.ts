import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { goEventText, parseGoTestJson } from '../../../src/run-tests/go-json.js'
import { parseNodeRunnerOutput } from '../../../src/run-tests/node-output.js'
import { parseUnittestOutput } from '../../../src/run-tests/unittest-output.js'

const FIXTURES = join(import.meta.dirname, 'fixtures')
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8')

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

describe('go test -json output', () => {
  it('counts leaf tests, keeps the file and line, and reports a package that does not build', () => {
    const r = parseGoTestJson(fixture('go-test-json.txt'), 'go', 'example.com/shop')
    expect(r?.counts).toEqual({ passed: 2, failed: 3, skipped: 1 })
    const byName = Object.fromEntries((r?.cases ?? []).map(c => [c.name, c]))
    expect(byName['example.com/shop/calc.TestTenPercent']).toMatchObject({
      outcome: 'failed',
      file: 'calc/calc_test.go',
      line: 13,
      message: 'Discounted(100, 10) = 90, want 91'
    })
    expect(byName['example.com/shop/calc.TestTable/half']).toMatchObject({
      outcome: 'failed',
      line: 28
    })
    expect(byName['example.com/shop/calc.TestTable']).toBeUndefined()
    expect(byName['example.com/shop/calc.TestRounding'].outcome).toBe('skipped')
    expect(byName['example.com/shop/broken']).toMatchObject({
      outcome: 'failed',
      message: 'undefined: undefinedThing',
      details: 'broken/broken.go:3:28: undefined: undefinedThing'
    })
  })

  it('shows the output of each event in the log and hides the bookkeeping', () => {
    expect(goEventText('{"Action":"output","Test":"T","Output":"=== RUN   T\\n"}')).toBe(
      '=== RUN   T'
    )
    expect(goEventText('{"Action":"run","Test":"T"}')).toBeUndefined()
    expect(goEventText('# example.com/shop/broken')).toBe('# example.com/shop/broken')
  })

  it('finds nothing in output that has no test2json events', () => {
    expect(parseGoTestJson('ok  \texample.com/shop/calc\t0.01s', 'go')).toBeUndefined()
  })
})

describe("Node's test runner output", () => {
  it('reads the closing counts of the TAP reporter, todos as skipped', () => {
    const r = parseNodeRunnerOutput(fixture('node-tap.txt'), 'node')
    expect(r?.counts).toEqual({ passed: 1, failed: 1, skipped: 2 })
    expect(r?.cases).toEqual([])
    expect(r?.seconds).toBeGreaterThan(0)
  })

  it('reads the spec reporter too, cancelled tests as failed', () => {
    const spec = [
      'ℹ tests 5',
      'ℹ pass 3',
      'ℹ fail 1',
      'ℹ cancelled 1',
      'ℹ skipped 0',
      'ℹ todo 0'
    ].join('\n')
    expect(parseNodeRunnerOutput(spec, 'node')?.counts).toEqual({
      passed: 3,
      failed: 2,
      skipped: 0
    })
    expect(parseNodeRunnerOutput('no summary', 'node')).toBeUndefined()
  })
})
