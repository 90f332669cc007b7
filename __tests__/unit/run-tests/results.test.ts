import { describe, expect, it } from '@jest/globals'
import { countCases, mergeResults, TestResults } from '../../../src/run-tests/results.js'

const report = (source: string, counts: TestResults['counts'], seconds?: number): TestResults => ({
  source,
  counts,
  cases: [{ name: `${source}.test`, outcome: counts.failed > 0 ? 'failed' : 'passed' }],
  seconds
})

describe('countCases', () => {
  it('counts each outcome', () => {
    expect(
      countCases([
        { name: 'a', outcome: 'passed' },
        { name: 'b', outcome: 'failed' },
        { name: 'c', outcome: 'skipped' },
        { name: 'd', outcome: 'passed' }
      ])
    ).toEqual({ passed: 2, failed: 1, skipped: 1 })
    expect(countCases([])).toEqual({ passed: 0, failed: 0, skipped: 0 })
  })
})

describe('mergeResults', () => {
  it('adds up the counts, keeps every case and names every report it read', () => {
    const merged = mergeResults([
      report('junit-a.xml', { passed: 3, failed: 1, skipped: 0 }, 1.5),
      report('junit-b.xml', { passed: 2, failed: 0, skipped: 2 }, 0.25)
    ])
    expect(merged).toEqual({
      source: 'junit-a.xml, junit-b.xml',
      counts: { passed: 5, failed: 1, skipped: 2 },
      cases: [
        { name: 'junit-a.xml.test', outcome: 'failed' },
        { name: 'junit-b.xml.test', outcome: 'passed' }
      ],
      seconds: 1.75
    })
  })

  it('gives no time when a report has none, rather than a part of it', () => {
    const merged = mergeResults([
      report('a', { passed: 1, failed: 0, skipped: 0 }, 2),
      report('b', { passed: 1, failed: 0, skipped: 0 })
    ])
    expect(merged?.seconds).toBeUndefined()
  })

  it('returns one report as it is, and nothing for none', () => {
    const only = report('a', { passed: 1, failed: 0, skipped: 0 })
    expect(mergeResults([only])).toBe(only)
    expect(mergeResults([])).toBeUndefined()
  })
})
