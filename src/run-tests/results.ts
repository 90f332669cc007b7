export type Outcome = 'passed' | 'failed' | 'skipped'

/** One test as a report or the runner's output describes it. */
export interface TestCase {
  /** The name to show and to rerun it by, e.g. `shop.tests.CartTests.test_total`. */
  name: string
  outcome: Outcome
  seconds?: number
  /** Source file as the report gives it (relative to the working directory, or absolute). */
  file?: string
  line?: number
  /** The first line of the failure or skip reason. */
  message?: string
  /** The whole failure text (assertion, traceback). */
  details?: string
}

export interface Counts {
  passed: number
  failed: number
  skipped: number
}

/** What one run of the suite produced. */
export interface TestResults {
  /** Where the numbers come from, for the summary: `JUnit report junit.xml`, `Django runner output`. */
  source: string
  counts: Counts
  /** The tests known by name: all of them from a report, maybe only the failures from output. */
  cases: TestCase[]
  /** Time the suite itself reports, if it does. */
  seconds?: number
}

export function countCases(cases: readonly TestCase[]): Counts {
  return {
    passed: cases.filter(c => c.outcome === 'passed').length,
    failed: cases.filter(c => c.outcome === 'failed').length,
    skipped: cases.filter(c => c.outcome === 'skipped').length
  }
}

/** Several reports (one per package or file) make one result. */
export function mergeResults(parts: readonly TestResults[]): TestResults | undefined {
  if (parts.length === 0) return undefined
  if (parts.length === 1) return parts[0]
  const seconds = parts.every(p => p.seconds !== undefined)
    ? parts.reduce((sum, p) => sum + (p.seconds ?? 0), 0)
    : undefined
  return {
    source: parts.map(p => p.source).join(', '),
    counts: {
      passed: parts.reduce((n, p) => n + p.counts.passed, 0),
      failed: parts.reduce((n, p) => n + p.counts.failed, 0),
      skipped: parts.reduce((n, p) => n + p.counts.skipped, 0)
    },
    cases: parts.flatMap(p => p.cases),
    seconds
  }
}
