import { afterEach, describe, expect, it } from '@jest/globals'
import { actionInputs, mapInputs } from '../../../src/core/inputs.js'
import { parseEnvInput } from '../../../src/ssh-deploy/env-input.js'
import { readDeploySettings, runContext } from '../../../src/ssh-deploy/settings.js'
import { PEM_KEY } from '../../helpers/hostile-env-values.js'

describe('env input', () => {
  it('takes everything after the first = as the value, spaces included; only the key is trimmed', () => {
    expect(
      parseEnvInput('  A = spaced  \nB=a=b=c\n\n# comment\n   # indented comment\nC=\nD=#x\n')
    ).toEqual([
      ['A', ' spaced  '],
      ['B', 'a=b=c'],
      ['C', ''],
      ['D', '#x']
    ])
  })

  it('reads a value over several lines from KEY<<DELIMITER … DELIMITER, as GITHUB_OUTPUT does', () => {
    const input = `A=1\nKEY<<EOF\n${PEM_KEY}\n\n# not a comment\n  EOF\nEOF\nB<<END\nEND\nC=x<<y\n`
    expect(parseEnvInput(input)).toEqual([
      ['A', '1'],
      ['KEY', `${PEM_KEY}\n\n# not a comment\n  EOF`],
      ['B', ''],
      ['C', 'x<<y']
    ])
    expect(parseEnvInput('K<<EOF\r\nline1\r\nline2\r\nEOF\r\n')).toEqual([['K', 'line1\nline2']])
  })

  it.each([
    ['A=1\nSECRET=ab\rcd', /^Input 'env': the value of SECRET holds a carriage return/],
    ['SECRET=ab\0cd', /^Input 'env': the value of SECRET holds a NUL character/],
    ['K<<EOF\na\rb\nEOF', /^Input 'env': the value of K holds a carriage return/],
    ['A=1\nK<<EOF\nnever closed\n', /^Input 'env': K<<EOF is not closed: no line EOF follows/],
    ['K<<\nx', /^Input 'env': K<< on line 1 has no delimiter/],
    ['A=1\nMIIEvQIBADANBgkq', /^Input 'env': line 2 is not KEY=VALUE.*KEY<<EOF/],
    ['1A=x', /^Input 'env': line 1 does not start with a variable name/],
    ['=x', /^Input 'env': line 1 is not KEY=VALUE/]
  ])('refuses %j, naming the key or line and never the value', (input, message) => {
    expect(() => parseEnvInput(input)).toThrow(message)
    try {
      parseEnvInput(input)
    } catch (err) {
      for (const secret of ['ab\r', 'ab\0', 'cd', 'never closed', 'MIIEv'])
        expect((err as Error).message).not.toContain(secret)
    }
  })

  describe('through the action inputs', () => {
    const inputs = {
      INPUT_HOST: 'deploy@web1',
      INPUT_PASSWORD: 'x',
      'INPUT_INSECURE-SKIP-HOST-KEY-CHECK': 'true',
      'INPUT_APP-DIR': '/srv/app',
      INPUT_ENV: ' LEAD=  x\nTRAIL=y  '
    }
    afterEach(() => {
      for (const name of Object.keys(inputs)) delete process.env[name]
    })

    it("keeps the spaces GitHub passes in, which core.getInput would trim off the input's ends", () => {
      Object.assign(process.env, inputs)
      const s = readDeploySettings(actionInputs, runContext({ GITHUB_SHA: 'f'.repeat(40) }))
      expect(s.env).toEqual([
        ['LEAD', '  x'],
        ['TRAIL', 'y  ']
      ])
      expect(actionInputs('env')).toBe('LEAD=  x\nTRAIL=y')
      expect(mapInputs({ env: ' a ' })('env', { keepWhitespace: true })).toBe(' a ')
    })
  })
})
