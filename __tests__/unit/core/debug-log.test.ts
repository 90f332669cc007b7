import { describe, expect, it } from '@jest/globals'
import { debugLine, exitText, timed } from '../../../src/core/debug-log.js'
import { registerSecret } from '../../../src/core/secrets.js'
import { captureOutput } from '../../helpers/capture-output.js'

describe('exitText', () => {
  it('says the exit code, the signal, or that the command timed out and was stopped', () => {
    expect(exitText({ code: 0, signal: null, timedOut: false })).toBe('exit 0')
    expect(exitText({ code: 7, signal: null, timedOut: false })).toBe('exit 7')
    expect(exitText({ code: null, signal: 'SIGTERM', timedOut: false })).toBe('signal SIGTERM')
    expect(exitText({ code: null, signal: null, timedOut: true })).toBe(
      'timed out, stopped (no exit status)'
    )
    expect(exitText({ code: null, signal: 'SIGKILL', timedOut: true })).toBe(
      'timed out, stopped (signal SIGKILL)'
    )
  })
})

describe('debugLine', () => {
  it('is one ::debug:: command, its line breaks escaped, registered secrets masked', async () => {
    registerSecret('debug-secret-94f1')
    const { output } = await captureOutput(async () =>
      debugLine('from the server:\n::error::forged\r\nand debug-secret-94f1')
    )
    expect(output).toBe('::debug::from the server:%0A::error::forged%0D%0Aand ***\n')
  })
})

describe('timed', () => {
  it('says how the work ended and its milliseconds, and passes a failure on', async () => {
    const ok = await captureOutput(() =>
      timed(
        'a: step',
        async () => 3,
        n => `got ${n}`
      )
    )
    expect(ok.value).toBe(3)
    expect(ok.output).toMatch(/^::debug::a: step → got 3 in \d+ ms\n$/)
    const failed = await captureOutput(() =>
      timed('a: step', async () => {
        throw new Error('gone')
      })
    )
    expect((failed.error as Error).message).toBe('gone')
    expect(failed.output).toMatch(/^::debug::a: step → failed in \d+ ms: gone\n$/)
  })
})
