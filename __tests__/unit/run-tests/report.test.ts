import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { locate, locateInText } from '../../../src/run-tests/locate.js'
import { failureMessage } from '../../../src/run-tests/report.js'
import { TestResults } from '../../../src/run-tests/results.js'

const workspace = mkdtempSync(join(tmpdir(), 'deploykit-locate-'))
const app = join(workspace, 'app')
for (const file of [
  'shop/tests.py',
  'shop/helpers.py',
  'test/cart.test.mjs',
  'calc/calc_test.go'
]) {
  mkdirSync(join(app, file, '..'), { recursive: true })
  writeFileSync(join(app, file), '')
}
mkdirSync(join(app, 'node_modules', 'lib'), { recursive: true })
writeFileSync(join(app, 'node_modules', 'lib', 'index.js'), '')

afterAll(() => rmSync(workspace, { recursive: true, force: true }))

describe('locate', () => {
  it('takes the deepest project frame of a Python traceback', () => {
    const traceback = [
      'Traceback (most recent call last):',
      `  File "${app}/shop/tests.py", line 13, in test_discount`,
      '    check(price)',
      `  File "${app}/shop/helpers.py", line 4, in check`,
      '    assert price == 91',
      '  File "/usr/lib/python3/dist-packages/django/test/testcases.py", line 9, in x',
      'AssertionError'
    ].join('\n')
    expect(locate({ details: traceback }, app, workspace)).toEqual({
      file: 'app/shop/helpers.py',
      line: 4
    })
  })

  it('takes the first project frame of a Node stack, skipping node: and node_modules', () => {
    const stack = [
      'AssertionError [ERR_ASSERTION]: 2 == 3',
      '    at check (node:internal/assert:10:3)',
      `    at lib (${app}/node_modules/lib/index.js:5:1)`,
      `    at TestContext.<anonymous> (file://${app}/test/cart.test.mjs:9:12)`
    ].join('\n')
    expect(locate({ details: stack }, app, workspace)).toEqual({
      file: 'app/test/cart.test.mjs',
      line: 9
    })
  })

  it('reads paths relative to the working directory (pytest, go)', () => {
    expect(locateInText('shop/tests.py:21: AssertionError', app, workspace)).toEqual({
      path: join(app, 'shop/tests.py'),
      line: 21
    })
    expect(locate({ file: 'calc/calc_test.go', line: 8 }, app, workspace)).toEqual({
      file: 'app/calc/calc_test.go',
      line: 8
    })
  })

  it('knows no place for files outside the workspace or that do not exist', () => {
    expect(locate({ details: 'File "/etc/passwd", line 1' }, app, workspace)).toBeUndefined()
    expect(locate({ file: 'gone.py', line: 3 }, app, workspace)).toBeUndefined()
    expect(locate({}, app, workspace)).toBeUndefined()
  })
})

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
