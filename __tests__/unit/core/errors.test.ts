import { describe, expect, it } from '@jest/globals'
import { errorMessage, InputError, RemoteError } from '../../../src/core/errors.js'

describe('InputError', () => {
  it('names the input, the problem and the fix', () => {
    const err = new InputError(
      'max-parallel',
      '"0" is not a whole number from 1 to 100',
      'Use 1 or more'
    )
    expect(err.message).toBe(
      'Input \'max-parallel\': "0" is not a whole number from 1 to 100. Use 1 or more'
    )
    expect(err.input).toBe('max-parallel')
    expect(err.name).toBe('InputError')
    expect(err).toBeInstanceOf(Error)
  })

  it('reads without a fix when there is none', () => {
    expect(new InputError('host', 'is empty').message).toBe("Input 'host': is empty")
  })
})

describe('RemoteError', () => {
  it('starts with the host it happened on', () => {
    const err = new RemoteError('deploy@app.example:2222', '`git fetch` exited with code 128')
    expect(err.message).toBe('deploy@app.example:2222: `git fetch` exited with code 128')
    expect(err.host).toBe('deploy@app.example:2222')
    expect(err.name).toBe('RemoteError')
  })
})

describe('errorMessage', () => {
  it("is an Error's message, or the thrown value as text", () => {
    expect(errorMessage(new Error('boom'))).toBe('boom')
    expect(errorMessage(new RemoteError('h', 'x'))).toBe('h: x')
    expect(errorMessage('exit 1')).toBe('exit 1')
    expect(errorMessage(42)).toBe('42')
    expect(errorMessage(undefined)).toBe('undefined')
  })
})
