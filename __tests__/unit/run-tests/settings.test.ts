import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InputError } from '../../../src/core/errors.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { findOnPath, readTestSettings } from '../../../src/run-tests/settings.js'

let workspace: string
let savedWorkspace: string | undefined

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'deploykit-test-settings-'))
  mkdirSync(join(workspace, 'backend'))
  writeFileSync(join(workspace, 'backend', 'manage.py'), '')
  mkdirSync(join(workspace, 'web'))
  writeFileSync(join(workspace, 'web', 'package.json'), '{"scripts":{"test":"node --test"}}')
  writeFileSync(join(workspace, 'web', 'yarn.lock'), '')
  mkdirSync(join(workspace, 'bin'))
  writeFileSync(join(workspace, 'bin', 'python3'), '#!/bin/sh\n')
  chmodSync(join(workspace, 'bin', 'python3'), 0o755)
  writeFileSync(join(workspace, 'bin', 'python'), 'not executable')
  savedWorkspace = process.env.GITHUB_WORKSPACE
  process.env.GITHUB_WORKSPACE = workspace
})

afterAll(() => {
  if (savedWorkspace === undefined) delete process.env.GITHUB_WORKSPACE
  else process.env.GITHUB_WORKSPACE = savedWorkspace
  rmSync(workspace, { recursive: true, force: true })
})

function inputError(values: Record<string, string>): InputError {
  try {
    readTestSettings(mapInputs(values))
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return err as InputError
  }
  throw new Error('expected an InputError')
}

describe('readTestSettings', () => {
  it('detects the framework in working-directory, relative to the workspace', () => {
    const s = readTestSettings(
      mapInputs({ 'working-directory': 'web', junit: 'reports/junit.xml', install: 'true' })
    )
    expect(s).toMatchObject({
      framework: 'node',
      reason: 'package.json test script',
      workingDirectory: join(workspace, 'web'),
      workspace,
      junit: join(workspace, 'web', 'reports', 'junit.xml'),
      install: true,
      python: '',
      packageManager: 'yarn'
    })
  })

  it('finds python, then python3, on PATH for Django and pytest; or takes the python input', () => {
    const savedPath = process.env.PATH
    process.env.PATH = join(workspace, 'bin')
    try {
      expect(readTestSettings(mapInputs({ 'working-directory': 'backend' })).python).toBe('python3')
    } finally {
      process.env.PATH = savedPath
    }
    const s = readTestSettings(
      mapInputs({ 'working-directory': 'backend', python: '/opt/py/bin/python' })
    )
    expect(s.python).toBe('/opt/py/bin/python')
  })

  it('names the missing interpreter', () => {
    const savedPath = process.env.PATH
    process.env.PATH = join(workspace, 'no-bin')
    try {
      expect(inputError({ 'working-directory': 'backend' }).message).toMatch(
        /Input 'python': is not set and neither python nor python3 is on PATH/
      )
    } finally {
      process.env.PATH = savedPath
    }
  })

  it('runs a command when nothing is detected, or when framework is command', () => {
    expect(readTestSettings(mapInputs({ command: 'make test' }))).toMatchObject({
      framework: 'command',
      reason: 'command input',
      command: 'make test'
    })
    expect(
      readTestSettings(
        mapInputs({ 'working-directory': 'web', framework: 'command', command: 'make' })
      ).framework
    ).toBe('command')
  })

  it.each([
    [{ 'working-directory': 'nope' }, /Input 'working-directory': .*nope is not a directory/],
    [
      {},
      /Input 'framework': auto found no manage.py, pytest configuration, go.mod or package.json/
    ],
    [{ framework: 'command' }, /Input 'command': is empty but framework is command/],
    [
      { framework: 'go', 'working-directory': 'web' },
      /Input 'framework': is go, but .*web has no go.mod/
    ],
    [{ framework: 'rspec' }, /"rspec" is not one of auto, django, pytest, go, node, command/],
    [{ 'working-directory': 'web', install: 'maybe' }, /Input 'install': "maybe" is not a boolean/]
  ])('rejects %j', (values, message) => {
    expect(inputError(values).message).toMatch(message)
  })
})

describe('findOnPath', () => {
  it('takes the first executable of the names, in order', () => {
    const path = join(workspace, 'bin')
    expect(findOnPath(['python', 'python3'], path)).toBe('python3')
    expect(findOnPath(['nothing'], path)).toBe('')
  })
})
