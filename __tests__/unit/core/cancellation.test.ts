import { afterEach, describe, expect, it } from '@jest/globals'
import { Cancellation, Cancelled, watchSignals } from '../../../src/core/cancellation.js'

describe('watchSignals', () => {
  let unwatch: (() => void) | undefined
  afterEach(() => unwatch?.())

  it('asks the work to stop on the first signal and ends the process on the second', () => {
    const target = new Cancellation()
    const exits: number[] = []
    const before = process.listenerCount('SIGINT')
    unwatch = watchSignals(target, code => void exits.push(code))
    expect(process.listenerCount('SIGINT')).toBe(before + 1)
    expect(() => target.throwIfRequested('writing .env')).not.toThrow()

    process.emit('SIGINT', 'SIGINT')
    expect(target.signal).toBe('SIGINT')
    expect(exits).toEqual([])
    expect(() => target.throwIfRequested('writing .env')).toThrow(
      new Cancelled('SIGINT', 'writing .env')
    )
    expect(() => target.throwIfRequested('writing .env')).toThrow(
      'the run was cancelled (SIGINT) before writing .env'
    )

    process.emit('SIGTERM', 'SIGTERM')
    expect(target.signal).toBe('SIGINT')
    expect(exits).toEqual([1])

    unwatch()
    unwatch = undefined
    expect(process.listenerCount('SIGINT')).toBe(before)
  })
})
