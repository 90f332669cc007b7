import { describe, expect, it } from '@jest/globals'
import {
  isShortSecret,
  maskSecrets,
  registerSecret,
  SHORT_SECRET_LENGTH,
  warnShortSecret
} from '../../../src/core/secrets.js'
import { captureOutput } from '../../helpers/capture-output.js'

/** The values the runner is told to mask, as @actions/core escapes them in `::add-mask::`. */
function maskCommands(output: string): string[] {
  return output
    .split('\n')
    .filter(line => line.startsWith('::add-mask::'))
    .map(line =>
      line
        .slice('::add-mask::'.length)
        .replace(/%0D/g, '\r')
        .replace(/%0A/g, '\n')
        .replace(/%25/g, '%')
    )
}

const KEY = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
  'AAAAMwAAAAtzc2gtZWQyNTUxOQ',
  'short',
  '-----END OPENSSH PRIVATE KEY-----'
].join('\n')

describe('registerSecret', () => {
  it('asks the runner to mask the value, and each long line of it on its own', async () => {
    const { output } = await captureOutput(async () => registerSecret(KEY))
    expect(maskCommands(output)).toEqual([
      KEY,
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
      'AAAAMwAAAAtzc2gtZWQyNTUxOQ'
    ])
  })

  it('registers nothing for an empty or unset value', async () => {
    const { output } = await captureOutput(async () => {
      registerSecret('')
      registerSecret(undefined)
    })
    expect(output).toBe('')
  })
})

describe('maskSecrets', () => {
  it('hides what was registered, and each line of it, as the runner shows the log', async () => {
    await captureOutput(async () => registerSecret(KEY))
    expect(maskSecrets(`key:\n${KEY}\n`)).toBe('key:\n***\n')
    expect(maskSecrets('error near AAAAMwAAAAtzc2gtZWQyNTUxOQ in line 3')).toBe(
      'error near *** in line 3'
    )
    expect(maskSecrets('a short line')).toBe('a *** line')
  })

  it('hides a longer secret whole when a shorter one is part of it', async () => {
    await captureOutput(async () => {
      registerSecret('pa55word')
      registerSecret('pa55word-and-more')
    })
    expect(maskSecrets('got pa55word-and-more and pa55word')).toBe('got *** and ***')
  })

  it('leaves text without a registered secret as it is', () => {
    expect(maskSecrets('nothing to hide here')).toBe('nothing to hide here')
  })
})

describe('short secrets', () => {
  it.each([
    ['1', true],
    [' 12 ', true],
    ['abc', true],
    ['abcd', false],
    ['', false],
    ['   ', false]
  ])('%j is short: %s', (value, short) => {
    expect(isShortSecret(value)).toBe(short)
  })

  it('warns naming where the value came from and the fix, never the value', async () => {
    const { output } = await captureOutput(async () =>
      warnShortSecret('env: the value of DEBUG', 'Set it in vars instead.')
    )
    expect(output).toBe(
      `::warning::env: the value of DEBUG is shorter than ${SHORT_SECRET_LENGTH} characters. Masked as a secret, it hides its every occurrence in the log, and GitHub drops any job output that contains it (release ids and commit shas too). Set it in vars instead.\n`
    )
  })
})
