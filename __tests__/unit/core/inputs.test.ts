import { afterEach, describe, expect, it } from '@jest/globals'
import {
  actionInputs,
  mapInputs,
  readBoolean,
  readChoice,
  readDuration,
  readInteger,
  readLines
} from '../../../src/core/inputs.js'

const one = (name: string, value: string) => mapInputs({ [name]: value })

describe('reading inputs', () => {
  afterEach(() => {
    delete process.env['INPUT_APP-DIR']
    delete process.env.INPUT_ENV
  })

  it('reads a step input as the runner passes it, trimmed unless spaces are data', () => {
    process.env['INPUT_APP-DIR'] = '  /srv/app \n'
    process.env.INPUT_ENV = 'GREETING= hello \n'
    expect(actionInputs('app-dir')).toBe('/srv/app')
    expect(actionInputs('env', { keepWhitespace: true })).toBe('GREETING= hello \n')
    expect(actionInputs('not-given')).toBe('')
  })

  it('reads a map the same way, unset inputs as empty', () => {
    const read = mapInputs({ env: ' A=1 ', unset: undefined })
    expect(read('env')).toBe('A=1')
    expect(read('env', { keepWhitespace: true })).toBe(' A=1 ')
    expect(read('unset')).toBe('')
    expect(read('other')).toBe('')
  })
})

describe('readBoolean', () => {
  it.each(['true', 'True', 'YES', '1', 'on'])('%s is true', v =>
    expect(readBoolean(one('build', v), 'build', false)).toBe(true)
  )
  it.each(['false', 'FALSE', 'no', '0', 'off'])('%s is false', v =>
    expect(readBoolean(one('build', v), 'build', true)).toBe(false)
  )
  it('falls back when empty', () => {
    expect(readBoolean(one('build', ''), 'build', true)).toBe(true)
  })
  it('names the input and the value it refuses', () => {
    expect(() => readBoolean(one('build', 'maybe'), 'build', false)).toThrow(
      'Input \'build\': "maybe" is not a boolean. Use true or false'
    )
  })
})

describe('readDuration', () => {
  it.each([
    // plain seconds, as every duration input took them before
    ['90', 90_000],
    ['2.5', 2_500],
    ['0', 0],
    ['', 30_000],
    // one unit
    ['90s', 90_000],
    ['5m', 300_000],
    ['5 m', 300_000],
    ['1h', 3_600_000],
    ['1.5m', 90_000],
    ['.5s', 500],
    ['1.s', 1_000],
    ['500ms', 500],
    ['0s', 0],
    // Go's time.ParseDuration forms, as appleboy/ssh-action's timeout and command_timeout take them
    ['1h30m', 5_400_000],
    ['2h45m10s', 9_910_000],
    ['1m30s', 90_000],
    ['1s500ms', 1_500],
    ['10m0s', 600_000],
    ['1.5h', 5_400_000],
    ['1500000us', 1_500],
    ['2000000000ns', 2_000],
    ['2000\u00b5s', 2],
    ['3000\u03bcs', 3],
    // a positive duration is never 0, which means no limit to command-timeout
    ['1ns', 1],
    ['400us', 1]
  ])('%j is %d ms', (value, ms) => {
    expect(readDuration(one('connect-timeout', value), 'connect-timeout', 30)).toBe(ms)
  })

  it.each(['abc', '-5', '-5s', '+5s', '5d', '1m30', 'm', '1h 30m', '1,5m', '5S', '1e3', '.', 's5'])(
    'refuses %j, naming the input',
    value => {
      expect(() => readDuration(one('wait-timeout', value), 'wait-timeout', 30)).toThrow(
        `Input 'wait-timeout': ${JSON.stringify(value)} is not a duration. Use seconds (90) or a Go-style duration: a number with h, m, s or ms, one or several (90s, 5m, 1h30m, 500ms)`
      )
    }
  )

  it('refuses a duration longer than a timer can wait, which would end the wait at once', () => {
    expect(readDuration(one('command-timeout', '596h'), 'command-timeout', 30)).toBe(2_145_600_000)
    expect(() => readDuration(one('command-timeout', '597h'), 'command-timeout', 30)).toThrow(
      `Input 'command-timeout': "597h" is longer than the longest wait a timer can hold (about 24 days)`
    )
    expect(() => readDuration(one('command-timeout', '9999999'), 'command-timeout', 30)).toThrow(
      /^Input 'command-timeout': "9999999" is longer/
    )
  })
})

describe('readInteger', () => {
  it('reads a whole number within bounds, or falls back when empty', () => {
    expect(readInteger(one('max-parallel', ' 4 '), 'max-parallel', 10, 1, 100)).toBe(4)
    expect(readInteger(one('max-parallel', '100'), 'max-parallel', 10, 1, 100)).toBe(100)
    expect(readInteger(one('max-parallel', ''), 'max-parallel', 10, 1, 100)).toBe(10)
  })

  it.each(['0', '101', '-1', '2.5', '1e2', 'ten'])('refuses %j, naming the bounds', value => {
    expect(() => readInteger(one('max-parallel', value), 'max-parallel', 10, 1, 100)).toThrow(
      `Input 'max-parallel': ${JSON.stringify(value)} is not a whole number from 1 to 100`
    )
  })
})

describe('readChoice', () => {
  const strategies = ['recreate', 'rolling'] as const
  it('takes one of the choices, or falls back when empty', () => {
    expect(readChoice(one('strategy', 'rolling'), 'strategy', strategies, 'recreate')).toBe(
      'rolling'
    )
    expect(readChoice(one('strategy', ''), 'strategy', strategies, 'recreate')).toBe('recreate')
  })
  it('names the choices when the value is none of them (case counts)', () => {
    expect(() =>
      readChoice(one('strategy', 'Rolling'), 'strategy', strategies, 'recreate')
    ).toThrow('Input \'strategy\': "Rolling" is not one of recreate, rolling')
  })
})

describe('readLines', () => {
  it('keeps the non-empty lines, trimmed, without comments, whatever the line endings', () => {
    const read = mapInputs({
      'compose-files': '\r\n docker-compose.yml \r\n# staging only\n\n  deploy/prod.yml\n'
    })
    expect(readLines(read, 'compose-files')).toEqual(['docker-compose.yml', 'deploy/prod.yml'])
    expect(readLines(mapInputs({}), 'compose-files')).toEqual([])
  })
})
