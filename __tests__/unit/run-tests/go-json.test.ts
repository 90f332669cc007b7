import { describe, expect, it } from '@jest/globals'
import { goEventText, parseGoTestJson } from '../../../src/run-tests/go-json.js'
import { fixture } from '../../helpers/run-tests-fixtures.js'

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
