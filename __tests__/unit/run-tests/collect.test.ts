import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectResults, readJUnit, snapshotReports } from '../../../src/run-tests/collect.js'
import type { TestSettings } from '../../../src/run-tests/settings.js'
import { captureOutput } from '../../helpers/capture-output.js'
import { fixture } from '../../helpers/run-tests-fixtures.js'

const workspace = mkdtempSync(join(tmpdir(), 'deploykit-collect-'))
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

let dirs = 0
/** A fresh working directory holding these files. */
function project(files: Record<string, string>): string {
  const dir = join(workspace, `p${++dirs}`)
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

/** The run rewrote the file: a later modification time than the snapshot saw. */
function rewritten(path: string): void {
  const later = new Date(Date.now() + 60_000)
  utimesSync(path, later, later)
}

function settings(dir: string, over: Partial<TestSettings> = {}): TestSettings {
  return {
    framework: 'command',
    reason: 'framework input',
    command: './run-tests',
    workingDirectory: dir,
    workspace,
    junit: '',
    install: false,
    python: '',
    packageManager: 'npm',
    ...over
  }
}

const GO_OUTPUT = fixture('go-test-json.txt')

describe('readJUnit', () => {
  it('reads every report in a directory this run wrote, named relative to the working directory', () => {
    const dir = project({
      'reports/a.xml': fixture('node-junit.xml'),
      'reports/b.xml': fixture('node-junit.xml')
    })
    const before = snapshotReports(join(dir, 'reports'))
    rewritten(join(dir, 'reports/a.xml'))
    rewritten(join(dir, 'reports/b.xml'))
    const r = readJUnit(join(dir, 'reports'), before, dir)
    expect(r?.source).toBe('JUnit report reports/a.xml, JUnit report reports/b.xml')
    expect(r?.counts).toEqual({ passed: 2, failed: 2, skipped: 4 })
  })

  it('leaves a report the run did not write, and says so', async () => {
    const dir = project({ 'junit.xml': fixture('node-junit.xml') })
    const path = join(dir, 'junit.xml')
    const { output, value } = await captureOutput(async () =>
      readJUnit(path, snapshotReports(path), dir)
    )
    expect(value).toBeUndefined()
    expect(output).toContain(
      `::warning::${path} was not written by this run (it is left from an earlier one); not reading it`
    )
  })

  it('warns about a report it cannot read and reads the others', async () => {
    const dir = project({ 'r/bad.xml': '<html></html>', 'r/good.xml': fixture('node-junit.xml') })
    const { output, value } = await captureOutput(async () =>
      readJUnit(join(dir, 'r'), new Map(), dir)
    )
    expect(output).toContain('::warning::cannot read the JUnit report r/bad.xml: ')
    expect(value?.source).toBe('JUnit report r/good.xml')
  })
})

describe('collectResults', () => {
  it('prefers the JUnit report to the output', () => {
    const dir = project({ 'junit.xml': fixture('node-junit.xml') })
    const r = collectResults(
      settings(dir, { junit: join(dir, 'junit.xml') }),
      { output: GO_OUTPUT },
      { before: new Map(), pytestJunit: '' }
    )
    expect(r?.source).toBe('JUnit report junit.xml')
  })

  it('reads the output when the junit report is missing, and says so', async () => {
    const dir = project({})
    const { output, value } = await captureOutput(async () =>
      collectResults(
        settings(dir, {
          framework: 'go',
          junit: join(dir, 'junit.xml'),
          goModule: 'example.com/shop'
        }),
        { output: GO_OUTPUT },
        { before: new Map(), pytestJunit: '' }
      )
    )
    expect(output).toContain(
      `::warning::no JUnit report at ${join(dir, 'junit.xml')} from this run; reading the test output instead`
    )
    expect(value?.source).toBe('go test -json output')
    expect(value?.counts).toEqual({ passed: 2, failed: 3, skipped: 1 })
  })

  it("reads pytest's own report with its lines counted from 1", () => {
    const dir = project({ '.pytest-junit.xml': fixture('pytest-junit.xml') })
    const pytestJunit = join(dir, '.pytest-junit.xml')
    const fromReport = readJUnit(pytestJunit, new Map(), dir)
    const r = collectResults(
      settings(dir, { framework: 'pytest' }),
      { output: '' },
      { before: new Map(), pytestJunit }
    )
    expect(r?.source).toBe('pytest JUnit report')
    const lines = (results: typeof r) => results?.cases.map(c => c.line) ?? []
    expect(lines(r)).toEqual(lines(fromReport).map(line => (line === undefined ? line : line + 1)))
    expect(lines(r).some(line => line !== undefined)).toBe(true)
  })

  it('reads the output of whichever runner a command ran, and nothing from output none printed', () => {
    const dir = project({})
    const read = (output: string, framework: TestSettings['framework'] = 'command') =>
      collectResults(
        settings(dir, { framework }),
        { output },
        { before: new Map(), pytestJunit: '' }
      )
    expect(read(fixture('django-output.txt'))?.source).toBe('unittest runner output')
    expect(read(fixture('django-output.txt'), 'django')?.source).toBe('Django runner output')
    expect(read(fixture('node-tap.txt'))?.source).toBe('Node test runner output (counts only)')
    expect(read(GO_OUTPUT)?.source).toBe('go test -json output')
    expect(read(GO_OUTPUT, 'django')).toBeUndefined()
    expect(read('make: *** [test] Error 1')).toBeUndefined()
  })
})
