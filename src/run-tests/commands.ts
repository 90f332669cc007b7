import { PackageManager } from './detect.js'

export type Framework = 'django' | 'pytest' | 'go' | 'node' | 'command'

/** A command to run in the working directory, as argv (a user's `command` runs through sh). */
export interface TestCommand {
  argv: string[]
  env: Record<string, string>
}

export interface CommandContext {
  /** The interpreter for Django and pytest: `python`, `python3` or a path. */
  python: string
  packageManager: PackageManager
  /** The user's command; replaces the framework's own when set. */
  command: string
  /** Where pytest writes its JUnit report. */
  pytestJunit: string
  /** PYTEST_ADDOPTS already in the environment, kept in front of ours. */
  pytestAddopts?: string
}

/**
 * Runs the suite the way each stack does, with the flags that make its
 * results readable: Django's runner lists every test with `-v 2`; pytest
 * writes JUnit (xunit1 keeps each test's file and line) through
 * PYTEST_ADDOPTS, so a user's own pytest command writes it too; Go streams
 * test2json events.
 */
export function testCommand(framework: Framework, ctx: CommandContext): TestCommand {
  const env: Record<string, string> = {}
  if (framework === 'pytest') {
    env.PYTEST_ADDOPTS = [
      ctx.pytestAddopts,
      `--junitxml=${ctx.pytestJunit}`,
      '-o',
      'junit_family=xunit1'
    ]
      .filter(Boolean)
      .join(' ')
  }
  if (ctx.command) return { argv: ['sh', '-c', ctx.command], env }
  switch (framework) {
    case 'django':
      return { argv: [ctx.python, 'manage.py', 'test', '--noinput', '-v', '2'], env }
    case 'pytest':
      return { argv: [ctx.python, '-m', 'pytest'], env }
    case 'go':
      return { argv: ['go', 'test', '-json', './...'], env }
    case 'node':
      return { argv: [ctx.packageManager, 'test'], env }
    case 'command':
      throw new Error('framework command needs a command')
  }
}

export interface ProjectFiles {
  has(file: string): boolean
}

/** How each stack installs its dependencies: lock files are honoured, nothing is upgraded. */
export function installCommands(
  framework: Framework,
  files: ProjectFiles,
  ctx: Pick<CommandContext, 'python' | 'packageManager'>
): string[][] {
  switch (framework) {
    case 'django':
    case 'pytest': {
      const pip = [ctx.python, '-m', 'pip', 'install']
      const requirements = [
        'requirements.txt',
        'requirements-dev.txt',
        'requirements-test.txt',
        'requirements/test.txt'
      ].filter(f => files.has(f))
      if (requirements.length > 0) return [[...pip, ...requirements.flatMap(f => ['-r', f])]]
      if (files.has('pyproject.toml') || files.has('setup.py')) return [[...pip, '-e', '.']]
      return []
    }
    case 'go':
      return [['go', 'mod', 'download']]
    case 'node':
      switch (ctx.packageManager) {
        case 'pnpm':
          return [['pnpm', 'install', '--frozen-lockfile']]
        case 'yarn':
          return [['yarn', 'install', '--frozen-lockfile']]
        case 'npm':
          return [files.has('package-lock.json') ? ['npm', 'ci'] : ['npm', 'install']]
      }
      return []
    case 'command':
      return []
  }
}
