import * as core from '@actions/core'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { errorMessage } from '../core/errors.js'
import { parseGoTestJson } from './go-json.js'
import { parseJUnit } from './junit.js'
import { parseNodeRunnerOutput } from './node-output.js'
import { mergeResults, TestResults } from './results.js'
import { TestSettings } from './settings.js'
import { parseUnittestOutput } from './unittest-output.js'

function reportFiles(path: string): string[] {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path)
    .filter(f => f.endsWith('.xml'))
    .sort()
    .map(f => join(path, f))
}

/** When each report at `path` was last written, taken before the run: whatever it leaves unchanged is stale. */
export type ReportSnapshot = Map<string, number>

export function snapshotReports(path: string): ReportSnapshot {
  return new Map(path ? reportFiles(path).map(f => [f, statSync(f).mtimeMs]) : [])
}

/** Reads the JUnit report(s) at `path` that the run wrote; undefined when there are none. */
export function readJUnit(
  path: string,
  before: ReportSnapshot,
  shownFrom: string
): TestResults | undefined {
  const files = reportFiles(path)
  const fresh = files.filter(f => before.get(f) !== statSync(f).mtimeMs)
  if (files.length > 0 && fresh.length === 0) {
    core.warning(
      `${path} was not written by this run (it is left from an earlier one); not reading it`
    )
  }
  const parts: TestResults[] = []
  for (const file of fresh) {
    const shown = relative(shownFrom, file) || basename(file)
    try {
      parts.push(parseJUnit(readFileSync(file, 'utf8'), `JUnit report ${shown}`))
    } catch (err) {
      core.warning(`cannot read the JUnit report ${shown}: ${errorMessage(err)}`)
    }
  }
  return mergeResults(parts)
}

/**
 * Results of one run: from a JUnit report when there is one, otherwise from
 * what the stack's runner printed. Undefined when neither says anything.
 */
export function collectResults(
  s: TestSettings,
  run: { output: string },
  opts: { before: ReportSnapshot; pytestJunit: string }
): TestResults | undefined {
  if (s.junit) {
    const fromReport = readJUnit(s.junit, opts.before, s.workingDirectory)
    if (fromReport) return fromReport
    core.warning(`no JUnit report at ${s.junit} from this run; reading the test output instead`)
  }
  if (s.framework === 'pytest') {
    const fromPytest = readJUnit(opts.pytestJunit, new Map(), s.workingDirectory)
    // pytest's line attribute counts from 0 (it is the test's `def` line minus one).
    if (fromPytest) {
      return {
        ...fromPytest,
        source: 'pytest JUnit report',
        cases: fromPytest.cases.map(c => (c.line === undefined ? c : { ...c, line: c.line + 1 }))
      }
    }
  }
  const parsers: Record<string, () => TestResults | undefined> = {
    unittest: () =>
      parseUnittestOutput(
        run.output,
        `${s.framework === 'django' ? 'Django' : 'unittest'} runner output`
      ),
    go: () => parseGoTestJson(run.output, 'go test -json output', s.goModule),
    node: () => parseNodeRunnerOutput(run.output, 'Node test runner output (counts only)')
  }
  const order: Record<TestSettings['framework'], string[]> = {
    django: ['unittest'],
    pytest: [],
    go: ['go'],
    node: ['node'],
    command: ['unittest', 'go', 'node']
  }
  for (const name of order[s.framework]) {
    const results = parsers[name]()
    if (results) return results
  }
  return undefined
}
