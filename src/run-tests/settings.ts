import { accessSync, constants, existsSync, statSync } from 'node:fs'
import { delimiter, isAbsolute, join, resolve } from 'node:path'
import { InputError } from '../core/errors.js'
import { InputReader, readBoolean, readChoice } from '../core/inputs.js'
import { Framework } from './commands.js'
import { detectFramework, goModulePath, packageManager, PackageManager } from './detect.js'

export const FRAMEWORKS = ['auto', 'django', 'pytest', 'go', 'node', 'command'] as const

export interface TestSettings {
  framework: Framework
  /** Why this framework: `manage.py`, `framework input`. */
  reason: string
  /** The user's command, or ''. */
  command: string
  /** Absolute. */
  workingDirectory: string
  /** Annotations name files relative to this (the checkout). */
  workspace: string
  /** Absolute path of the JUnit report (a file or a directory of them), or ''. */
  junit: string
  install: boolean
  /** The interpreter for Django and pytest; '' for other stacks. */
  python: string
  packageManager: PackageManager
  /** From go.mod, to find a failing Go test's file. */
  goModule?: string
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** The first of `names` found on PATH, as the shell would find it. */
export function findOnPath(names: readonly string[], path = process.env.PATH ?? ''): string {
  for (const name of names) {
    for (const dir of path.split(delimiter).filter(Boolean)) {
      if (isExecutable(join(dir, name))) return name
    }
  }
  return ''
}

/** Debian and many images have `python3` and no `python`; setup-python provides both. */
function readPython(read: InputReader): string {
  const given = read('python').trim()
  if (given) return given
  const found = findOnPath(['python', 'python3'])
  if (!found) {
    throw new InputError(
      'python',
      'is not set and neither python nor python3 is on PATH',
      'Add actions/setup-python before this step, or set python to the interpreter'
    )
  }
  return found
}

const MARKERS: Partial<Record<Framework, string>> = {
  django: 'manage.py',
  go: 'go.mod',
  node: 'package.json'
}

function readFramework(
  read: InputReader,
  dir: string,
  command: string
): { framework: Framework; reason: string } {
  const chosen = readChoice(read, 'framework', FRAMEWORKS, 'auto')
  if (chosen === 'auto') {
    const detected = detectFramework(dir)
    if (detected) return { framework: detected.framework, reason: detected.reason }
    if (command) return { framework: 'command', reason: 'command input' }
    throw new InputError(
      'framework',
      `auto found no manage.py, pytest configuration, go.mod or package.json test script in ${dir}`,
      'Set working-directory to the project, name the framework, or give a command'
    )
  }
  if (chosen === 'command' && !command) {
    throw new InputError('command', 'is empty but framework is command', 'Give the test command')
  }
  const marker = MARKERS[chosen]
  if (marker && !command && !existsSync(join(dir, marker))) {
    throw new InputError(
      'framework',
      `is ${chosen}, but ${dir} has no ${marker}`,
      'Set working-directory to the project root'
    )
  }
  return { framework: chosen, reason: 'framework input' }
}

/** Reads and checks every input before the suite runs. */
export function readTestSettings(read: InputReader): TestSettings {
  const workspace = resolve(process.env.GITHUB_WORKSPACE || process.cwd())
  const workingDirectory = resolve(workspace, read('working-directory').trim() || '.')
  if (!existsSync(workingDirectory) || !statSync(workingDirectory).isDirectory()) {
    throw new InputError(
      'working-directory',
      `${workingDirectory} is not a directory`,
      'Give it relative to the checkout; did the job check out the code?'
    )
  }
  const command = read('command').trim()
  const { framework, reason } = readFramework(read, workingDirectory, command)
  const junitInput = read('junit').trim()
  return {
    framework,
    reason,
    command,
    workingDirectory,
    workspace,
    junit: junitInput
      ? isAbsolute(junitInput)
        ? junitInput
        : resolve(workingDirectory, junitInput)
      : '',
    install: readBoolean(read, 'install', false),
    python: framework === 'django' || framework === 'pytest' ? readPython(read) : '',
    packageManager: packageManager(workingDirectory),
    goModule: framework === 'go' ? goModulePath(workingDirectory) : undefined
  }
}
