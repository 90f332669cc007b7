// The test action on a real Django 3.2 project (Debian's python3-django),
// whose runner writes no JUnit: results come from its verbose output.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEBIAN_PYTHON, ensurePythonModule } from '../../../testbed/debian-packages.js'
import { DJANGO_FAILING_LINE, writeDjangoProject } from './fixtures.js'
import { ActionFiles, TestRun } from './harness.js'

let workspace: string
let files: ActionFiles
let r: TestRun

beforeAll(async () => {
  ensurePythonModule('django', 'python3-django')
  workspace = mkdtempSync(join(tmpdir(), 'deploykit-django-'))
  writeDjangoProject(join(workspace, 'backend'))
  files = new ActionFiles(workspace)
  r = await files.run({ 'working-directory': 'backend', python: DEBIAN_PYTHON })
})

afterAll(() => {
  files?.remove()
  if (workspace) rmSync(workspace, { recursive: true, force: true })
})

describe('a Django project with a passing, a failing and a skipped test', () => {
  it('detects Django by manage.py and runs its test runner', () => {
    expect(r.error).toBeUndefined()
    expect(r.output).toContain('Framework: django (manage.py)')
    expect(r.output).toContain(`$ ${DEBIAN_PYTHON} manage.py test --noinput -v 2`)
    expect(r.output).toMatch(/^test_discount_applies \(shop\.tests\.CartTests.*\) \.\.\. FAIL$/m)
  })

  it('sets the outputs from the runner output', () => {
    expect(r.outputs).toEqual({ passed: '1', failed: '1', skipped: '1' })
  })

  it('annotates the failed test on its file and line', () => {
    const tests = r.annotations.filter(a => a.title?.startsWith('Test failed'))
    expect(tests).toEqual([
      {
        title:
          'Test failed: shop.tests.CartTests.test_discount_applies — AssertionError: 90 != 91 : ten percent off',
        file: 'backend/shop/tests.py',
        line: DJANGO_FAILING_LINE,
        message: expect.stringContaining('Traceback (most recent call last)')
      }
    ])
  })

  it('fails the step, naming the failed test in the first line', () => {
    expect(r.failed).toBe(true)
    const failure = r.annotations.find(a => a.title === undefined)
    expect(failure?.message.split('\n')[0]).toBe(
      '1 of 3 test(s) failed: shop.tests.CartTests.test_discount_applies'
    )
  })

  it('writes the counts, the failure and the skipped test to the summary', () => {
    expect(r.summary).toContain('<h3>Tests failed</h3>')
    expect(r.summary).toMatch(
      /<td>django \(manage\.py\)<\/td><td>1<\/td><td>❌ 1<\/td><td>1<\/td><td>0\.\ds<\/td>/
    )
    expect(r.summary).toContain('results from Django runner output')
    expect(r.summary).toContain('<code>shop.tests.CartTests.test_discount_applies</code>')
    expect(r.summary).toContain(`backend/shop/tests.py:${DJANGO_FAILING_LINE}`)
    expect(r.summary).toContain('AssertionError: 90 != 91 : ten percent off')
    expect(r.summary).toMatch(
      /Skipped tests \(1\).*shop\.tests\.CartTests\.test_payment<\/code>: payment sandbox is down/s
    )
  })
})
