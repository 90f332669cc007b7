import { describe, expect, it } from '@jest/globals'
import { CommandContext, installCommands, testCommand } from '../../../src/run-tests/commands.js'

const ctx: CommandContext = {
  python: 'python3',
  packageManager: 'npm',
  command: '',
  pytestJunit: '/tmp/t/pytest-junit.xml'
}

const files = (...names: string[]) => ({ has: (f: string) => names.includes(f) })

describe('testCommand', () => {
  it('runs each stack its usual way, with the flags that make results readable', () => {
    expect(testCommand('django', ctx)).toEqual({
      argv: ['python3', 'manage.py', 'test', '--noinput', '-v', '2'],
      env: {}
    })
    expect(testCommand('go', ctx).argv).toEqual(['go', 'test', '-json', './...'])
    expect(testCommand('node', ctx).argv).toEqual(['npm', 'test'])
    expect(testCommand('node', { ...ctx, packageManager: 'pnpm' }).argv).toEqual(['pnpm', 'test'])
  })

  it('makes pytest write JUnit with file and line, keeping existing PYTEST_ADDOPTS', () => {
    expect(testCommand('pytest', { ...ctx, pytestAddopts: '-x' })).toEqual({
      argv: ['python3', '-m', 'pytest'],
      env: { PYTEST_ADDOPTS: '-x --junitxml=/tmp/t/pytest-junit.xml -o junit_family=xunit1' }
    })
  })

  it('runs a given command through sh, keeping the framework’s report settings', () => {
    expect(testCommand('command', { ...ctx, command: 'make test && echo done' })).toEqual({
      argv: ['sh', '-c', 'make test && echo done'],
      env: {}
    })
    expect(
      testCommand('pytest', { ...ctx, command: 'pytest -k fast' }).env.PYTEST_ADDOPTS
    ).toContain('--junitxml=')
  })
})

describe('installCommands', () => {
  it('installs Python requirements files, or the project itself', () => {
    expect(
      installCommands('django', files('requirements.txt', 'requirements-dev.txt'), ctx)
    ).toEqual([
      ['python3', '-m', 'pip', 'install', '-r', 'requirements.txt', '-r', 'requirements-dev.txt']
    ])
    expect(installCommands('pytest', files('pyproject.toml'), ctx)).toEqual([
      ['python3', '-m', 'pip', 'install', '-e', '.']
    ])
    expect(installCommands('pytest', files(), ctx)).toEqual([])
  })

  it('honours the lock file of each Node package manager', () => {
    expect(installCommands('node', files('package-lock.json'), ctx)).toEqual([['npm', 'ci']])
    expect(installCommands('node', files(), ctx)).toEqual([['npm', 'install']])
    expect(installCommands('node', files(), { ...ctx, packageManager: 'yarn' })).toEqual([
      ['yarn', 'install', '--frozen-lockfile']
    ])
    expect(installCommands('node', files(), { ...ctx, packageManager: 'pnpm' })).toEqual([
      ['pnpm', 'install', '--frozen-lockfile']
    ])
  })

  it('downloads Go modules, and installs nothing for a plain command', () => {
    expect(installCommands('go', files('go.mod'), ctx)).toEqual([['go', 'mod', 'download']])
    expect(installCommands('command', files('requirements.txt'), ctx)).toEqual([])
  })
})
