import { describe, expect, it } from '@jest/globals'
import { parseNodeRunnerOutput } from '../../../src/run-tests/node-output.js'
import { fixture } from '../../helpers/run-tests-fixtures.js'

describe("Node's test runner output", () => {
  it('reads the closing counts of the TAP reporter, todos as skipped', () => {
    const r = parseNodeRunnerOutput(fixture('node-tap.txt'), 'node')
    expect(r?.counts).toEqual({ passed: 1, failed: 1, skipped: 2 })
    expect(r?.cases).toEqual([])
    expect(r?.seconds).toBeGreaterThan(0)
  })

  it('reads the spec reporter too, cancelled tests as failed', () => {
    const spec = [
      'ℹ tests 5',
      'ℹ pass 3',
      'ℹ fail 1',
      'ℹ cancelled 1',
      'ℹ skipped 0',
      'ℹ todo 0'
    ].join('\n')
    expect(parseNodeRunnerOutput(spec, 'node')?.counts).toEqual({
      passed: 3,
      failed: 2,
      skipped: 0
    })
    expect(parseNodeRunnerOutput('no summary', 'node')).toBeUndefined()
  })
})
