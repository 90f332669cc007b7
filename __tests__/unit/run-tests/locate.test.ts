import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { locate, locateInText, toWorkspacePath } from '../../../src/run-tests/locate.js'

const workspace = mkdtempSync(join(tmpdir(), 'deploykit-locate-'))
const app = join(workspace, 'app')
for (const file of [
  'shop/tests.py',
  'shop/helpers.py',
  'test/cart.test.mjs',
  'calc/calc_test.go',
  '.venv/lib/site.py',
  '..cache/conftest.py'
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

  it('skips frames in a virtualenv and reads the message when there are no details', () => {
    const message = `${app}/.venv/lib/site.py:2: in wrapper\n${app}/shop/tests.py:5: in test_total`
    expect(locate({ message }, app, workspace)).toEqual({ file: 'app/shop/tests.py', line: 5 })
  })

  it("prefers the failure text to the report's file and line", () => {
    expect(
      locate(
        { file: 'calc/calc_test.go', line: 8, details: 'shop/tests.py:21: AssertionError' },
        app,
        workspace
      )
    ).toEqual({ file: 'app/shop/tests.py', line: 21 })
  })
})

describe('toWorkspacePath', () => {
  it("makes a report's file relative to the workspace, absolute or relative to the working directory", () => {
    expect(toWorkspacePath('shop/tests.py', app, workspace)).toBe('app/shop/tests.py')
    expect(toWorkspacePath(join(app, 'calc/calc_test.go'), app, workspace)).toBe(
      'app/calc/calc_test.go'
    )
    expect(toWorkspacePath('/etc/passwd', app, workspace)).toBeUndefined()
    expect(toWorkspacePath('../../gone.py', app, workspace)).toBeUndefined()
  })

  it('keeps a project file under a folder whose name starts with two dots', () => {
    mkdirSync(join(workspace, '..cache'), { recursive: true })
    writeFileSync(join(workspace, '..cache', 'conftest.py'), '')
    expect(toWorkspacePath('..cache/conftest.py', workspace, workspace)).toBe('..cache/conftest.py')
  })
})
