import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { ActionEntry, runAction, StageResult } from '../../../src/core/entry.js'
import { InputError } from '../../../src/core/errors.js'
import { captureOutput } from '../../helpers/capture-output.js'

// @actions/core writes state and outputs as workflow commands on stdout when
// the runner's files are not set, which is what these tests read.
const saved = {
  state: process.env.GITHUB_STATE,
  output: process.env.GITHUB_OUTPUT,
  isPost: process.env['STATE_is-post']
}
beforeEach(() => {
  delete process.env.GITHUB_STATE
  delete process.env.GITHUB_OUTPUT
  delete process.env['STATE_is-post']
})
afterEach(() => {
  process.exitCode = undefined
  for (const [name, value] of [
    ['GITHUB_STATE', saved.state],
    ['GITHUB_OUTPUT', saved.output],
    ['STATE_is-post', saved.isPost]
  ] as const) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

interface Step {
  output: string
  failed: boolean
  calls: string[]
}

async function step(entry: (calls: string[]) => ActionEntry<string, StageResult>): Promise<Step> {
  const calls: string[] = []
  const { output, error } = await captureOutput(() => runAction(entry(calls)))
  expect(error).toBeUndefined()
  const failed = process.exitCode === 1
  process.exitCode = undefined
  return { output, failed, calls }
}

const lines = (output: string) => output.split('\n').filter(Boolean)

describe('runAction', () => {
  it('runs the work on the settings read, sets the outputs and logs the message', async () => {
    const r = await step(calls => ({
      readSettings: () => {
        calls.push('read')
        return 'settings'
      },
      run: async s => {
        calls.push(`run ${s}`)
        return { ok: true, message: 'deployed' }
      },
      setOutputs: result => calls.push(`outputs ${result.message}`)
    }))
    expect(r.calls).toEqual(['read', 'run settings', 'outputs deployed'])
    expect(r.failed).toBe(false)
    expect(lines(r.output)).toEqual(['deployed'])
  })

  it('fails the step with the message of work that did not succeed, outputs still set', async () => {
    const r = await step(calls => ({
      readSettings: () => 'settings',
      run: async () => ({ ok: false, message: 'smoke-check: 1 of 2 check(s) failed' }),
      setOutputs: () => calls.push('outputs')
    }))
    expect(r.failed).toBe(true)
    expect(r.calls).toEqual(['outputs'])
    expect(lines(r.output)).toEqual(['::error::smoke-check: 1 of 2 check(s) failed'])
  })

  it('fails the step with an input error before the work runs', async () => {
    const r = await step(calls => ({
      readSettings: () => {
        throw new InputError('host', 'is empty')
      },
      run: async () => {
        calls.push('run')
        return { ok: true, message: '' }
      },
      setOutputs: () => calls.push('outputs')
    }))
    expect(r.failed).toBe(true)
    expect(r.calls).toEqual([])
    expect(lines(r.output)).toEqual(["::error::Input 'host': is empty"])
  })

  it('fails the step with what the work threw', async () => {
    const r = await step(() => ({
      readSettings: () => 'settings',
      run: async () => {
        throw new Error('cannot connect')
      }
    }))
    expect(r.failed).toBe(true)
    expect(lines(r.output)).toEqual(['::error::cannot connect'])
  })

  it('without a post step saves no state', async () => {
    const r = await step(() => ({
      readSettings: () => 'settings',
      run: async () => ({ ok: true, message: 'done' })
    }))
    expect(r.output).not.toContain('save-state')
  })

  describe('with a post step', () => {
    const entry = (calls: string[]): ActionEntry<string, StageResult> => ({
      readSettings: () => 'settings',
      run: async () => {
        calls.push('run')
        return { ok: true, message: 'done' }
      },
      post: async () => {
        calls.push('post')
      }
    })

    it('the first run marks the state and does the work only', async () => {
      const r = await step(entry)
      expect(r.calls).toEqual(['run'])
      expect(lines(r.output)).toEqual(['::save-state name=is-post::true', 'done'])
    })

    it('the second run does the cleanup only', async () => {
      process.env['STATE_is-post'] = 'true'
      const r = await step(entry)
      expect(r.calls).toEqual(['post'])
      expect(r.failed).toBe(false)
      expect(lines(r.output)).toEqual(['post: done'])
    })

    it('a failing cleanup fails the post step', async () => {
      process.env['STATE_is-post'] = 'true'
      const r = await step(() => ({
        readSettings: () => 'settings',
        run: async () => ({ ok: true, message: '' }),
        post: () => {
          throw new Error('cannot release the lock')
        }
      }))
      expect(r.failed).toBe(true)
      expect(lines(r.output)).toEqual(['::error::cannot release the lock'])
    })
  })
})
