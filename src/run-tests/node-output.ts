import { TestResults } from './results.js'

/**
 * Counts from the closing lines of Node's test runner (`# pass 3` in TAP,
 * `ℹ pass 3` in the spec reporter), for a suite that writes no JUnit report.
 * Names are not read: the output nests suites and tests alike.
 */
export function parseNodeRunnerOutput(output: string, source: string): TestResults | undefined {
  const counts: Record<string, number> = {}
  for (const m of output.matchAll(
    /^(?:# |ℹ )(tests|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/gm
  )) {
    counts[m[1]] = Number(m[2])
  }
  if (counts.tests === undefined || counts.pass === undefined) return undefined
  return {
    source,
    counts: {
      passed: counts.pass,
      failed: (counts.fail ?? 0) + (counts.cancelled ?? 0),
      skipped: (counts.skipped ?? 0) + (counts.todo ?? 0)
    },
    cases: [],
    seconds: counts.duration_ms === undefined ? undefined : counts.duration_ms / 1000
  }
}
