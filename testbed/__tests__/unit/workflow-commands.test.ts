// The runner stand-in against cases from actions/runner's own tests
// (src/Test/L0/Worker/ActionCommandL0.cs, ActionCommandManagerL0.cs).
import { describe, expect, it } from '@jest/globals'
import { readStepOutput, SecretMasker } from '../../secret-masker.js'
import { readCommand, RUNNER_COMMANDS } from '../../workflow-commands.js'

const ours = ['do-something']

describe('reading one line as the runner does', () => {
  it.each([
    ['##[do-something k1=v1;]msg', { k1: 'v1' }, 'msg'],
    ['##[do-something]', {}, ''],
    ['##[do-something k1=%3B=%0D=%0A=%5D;]%3B-%0D-%0A-%5D', { k1: ';=\r=\n=]' }, ';-\r-\n-]'],
    [
      '##[do-something k1=%253B=%250D=%250A=%255D;]%253B-%250D-%250A-%255D',
      { k1: '%3B=%0D=%0A=%5D' },
      '%3B-%0D-%0A-%5D'
    ],
    ['##[do-something k1=;k2=;]', {}, ''],
    ['>>>   ##[do-something k1=v1;]msg', { k1: 'v1' }, 'msg'],
    ['::do-something k1=v1,::msg', { k1: 'v1' }, 'msg'],
    ['::do-something::', {}, ''],
    [
      '::do-something k1=;=%2C=%0D=%0A=]=%3A,::;-%0D-%0A-]-:-,',
      { k1: ';=,=\r=\n=]=:' },
      ';-\r-\n-]-:-,'
    ],
    ['::do-something k1=,k2=,::', {}, ''],
    ['::do-something k1=v1::', { k1: 'v1' }, ''],
    ['   ::do-something k1=v1,::msg', { k1: 'v1' }, 'msg']
  ])('%j', (line, properties, data) => {
    const { command, unsure } = readCommand(line, ours)
    expect(command).toMatchObject({ command: 'do-something', properties, data })
    expect(unsure).toBe(false)
  })

  it.each(['   >>>   ::do-something k1=v1,::msg', '::do-something', '##[do-something', ''])(
    'is no command: %j',
    line => {
      expect(readCommand(line, ours)).toEqual({ command: undefined, unsure: false })
    }
  )

  it('knows only registered names, in any ASCII case, and the v1 form behind a v2 miss', () => {
    expect(readCommand('::set-outputs name=x::y', RUNNER_COMMANDS).command).toBeUndefined()
    expect(readCommand('::ADD-MASK::x', RUNNER_COMMANDS).command?.command).toBe('add-mask')
    expect(readCommand('::nope::##[add-mask]x', RUNNER_COMMANDS).command).toMatchObject({
      command: 'add-mask',
      syntax: 'v1',
      data: 'x'
    })
    // .NET's TrimStart takes every Unicode space, not only ASCII ones.
    expect(readCommand('\u3000\u00a0::warning::x', RUNNER_COMMANDS).command?.command).toBe(
      'warning'
    )
    // Only the v2 form needs the start of the line: a label before it stops that one alone.
    expect(readCommand('[host] ::add-mask::x', RUNNER_COMMANDS).command).toBeUndefined()
    expect(readCommand('[host] ##[add-mask]x', RUNNER_COMMANDS).command?.command).toBe('add-mask')
  })

  it('says when the answer depends on comparisons it does not model', () => {
    // ICU may skip U+200B and U+00AD in StartsWith/IndexOf; casing beyond ASCII is not modelled.
    for (const line of ['\u200b::add-mask::x', '#\u00ad#[add-mask]x', '::add-ma\u017fk::x'])
      expect([line, readCommand(line, RUNNER_COMMANDS).unsure]).toEqual([line, true])
    // Non-ASCII text elsewhere does not change what the line is.
    expect(readCommand('::error::failed — see ✘ above', RUNNER_COMMANDS)).toMatchObject({
      command: { command: 'error' },
      unsure: false
    })
  })
})

describe('reading a step', () => {
  it('ends lines where ReadLine does: a CR alone starts a new one', () => {
    const r = readStepOutput('[host] a\r::add-mask::q\r\nb\n', new SecretMasker())
    expect(r.commands).toEqual([expect.objectContaining({ command: 'add-mask', data: 'q' })])
    expect(r.log).toBe('[host] a\n::add-mask::***\nb\n')
  })

  it('acts on nothing between ::stop-commands:: and the token, and shows the fence masked', () => {
    const masker = new SecretMasker()
    const token = 'b7e1c0ffee0ddba11'
    const r = readStepOutput(
      `::stop-commands::${token}\n::add-mask::x\n##[set-output name=a;]b\n::${token}::\n::add-mask::y\nx y\n`,
      masker
    )
    expect(r.commands.map(c => c.command)).toEqual(['stop-commands', token, 'add-mask'])
    expect(r.openFence).toBeUndefined()
    expect(r.log).toBe(
      '::stop-commands::***\n::add-mask::x\n##[set-output name=a;]b\n::***::\n::add-mask::***\nx ***\n'
    )
  })

  it('ends a fence only by its token, in either syntax', () => {
    const r = readStepOutput(
      '::stop-commands::tok-1234567\n::stop-commands::guess\n::guess::\n>> ##[TOK-1234567]\n::add-mask::z\n',
      new SecretMasker()
    )
    expect(r.commands.map(c => [c.command, c.data])).toEqual([
      ['stop-commands', 'tok-1234567'],
      ['tok-1234567', ''],
      ['add-mask', 'z']
    ])
  })

  it('reports an open fence, a refused token and commands that change later lines', () => {
    expect(readStepOutput('::stop-commands::abcdefgh\nx\n', new SecretMasker()).openFence).toBe(
      'abcdefgh'
    )
    const r = readStepOutput('::stop-commands::warning\n::warning::\n', new SecretMasker())
    expect(r.unmodelled).toEqual([expect.stringContaining('refuses this stop token')])
    const echo = readStepOutput('::echo::on\n::add-matcher::m.json\n', new SecretMasker())
    expect(echo.unmodelled).toHaveLength(2)
  })
})
