// The test action on a pytest project (Debian's python3-pytest): pytest
// writes JUnit through PYTEST_ADDOPTS, even from a user's own command.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEBIAN_PYTHON, ensurePythonModule } from '../../../testbed/debian-packages.js'
import { PYTEST_FAILING_LINE, writePytestProject } from './fixtures.js'
import { ActionFiles } from './harness.js'

let workspace: string
let files: ActionFiles

beforeAll(() => {
  ensurePythonModule('pytest', 'python3-pytest')
  workspace = mkdtempSync(join(tmpdir(), 'deploykit-pytest-'))
  writePytestProject(join(workspace, 'api'))
  files = new ActionFiles(workspace)
})

afterAll(() => {
  files?.remove()
  if (workspace) rmSync(workspace, { recursive: true, force: true })
})

describe('a pytest project', () => {
  it('detects pytest by pytest.ini and reads the JUnit report pytest writes', async () => {
    const r = await files.run({ 'working-directory': 'api', python: DEBIAN_PYTHON })
    expect(r.error).toBeUndefined()
    expect(r.output).toContain('Framework: pytest (pytest.ini)')
    expect(r.outputs).toEqual({ passed: '1', failed: '1', skipped: '1' })
    const tests = r.annotations.filter(a => a.title?.startsWith('Test failed'))
    expect(tests).toEqual([
      expect.objectContaining({
        title: expect.stringMatching(
          /^Test failed: tests\.test_prices\.test_ten_percent — assert 90 == 91/
        ),
        file: 'api/tests/test_prices.py',
        line: PYTEST_FAILING_LINE
      })
    ])
    expect(r.failed).toBe(true)
    expect(r.annotations.at(-1)?.message).toBe(
      '1 of 3 test(s) failed: tests.test_prices.test_ten_percent'
    )
    expect(r.summary).toContain('results from pytest JUnit report')
    expect(r.summary).toContain(
      'tests.test_prices.test_rounding</code>: currency rounding is not decided'
    )
  })

  it('still gets the report from a command of the user’s own', async () => {
    const r = await files.run({
      'working-directory': 'api',
      framework: 'pytest',
      python: DEBIAN_PYTHON,
      command: `${DEBIAN_PYTHON} -m pytest -q -k "not ten_percent"`
    })
    expect(r.failed).toBe(false)
    expect(r.outputs).toEqual({ passed: '1', failed: '0', skipped: '1' })
  })
})
