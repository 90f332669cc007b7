import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export type DetectedFramework = 'django' | 'pytest' | 'go' | 'node'

export interface Detection {
  framework: DetectedFramework
  /** The file that decided it, for the log: `manage.py`, `pyproject.toml [tool.pytest]`. */
  reason: string
}

/** What `npm init` writes when a package has no tests. */
const NPM_NO_TEST = /no test specified/

function read(dir: string, file: string): string | undefined {
  const path = join(dir, file)
  try {
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined
  } catch {
    return undefined
  }
}

/** A pytest configuration file, which pytest reads whichever of them it finds first. */
function pytestConfig(dir: string): string | undefined {
  if (existsSync(join(dir, 'pytest.ini'))) return 'pytest.ini'
  if (/^\[tool\.pytest(\.ini_options)?\]/m.test(read(dir, 'pyproject.toml') ?? '')) {
    return 'pyproject.toml [tool.pytest]'
  }
  if (/^\[tool:pytest\]/m.test(read(dir, 'setup.cfg') ?? '')) return 'setup.cfg [tool:pytest]'
  if (/^\[pytest\]/m.test(read(dir, 'tox.ini') ?? '')) return 'tox.ini [pytest]'
  return undefined
}

export function nodeTestScript(dir: string): string | undefined {
  const text = read(dir, 'package.json')
  if (text === undefined) return undefined
  try {
    const script = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts?.test
    return typeof script === 'string' && script.trim() && !NPM_NO_TEST.test(script)
      ? script
      : undefined
  } catch {
    return undefined
  }
}

/**
 * The framework a directory's files point at. A pytest configuration wins
 * over manage.py: a Django project that configures pytest (pytest-django)
 * has tests that only pytest collects.
 */
export function detectFramework(dir: string): Detection | undefined {
  const pytest = pytestConfig(dir)
  if (pytest) return { framework: 'pytest', reason: pytest }
  if (existsSync(join(dir, 'manage.py'))) return { framework: 'django', reason: 'manage.py' }
  if (existsSync(join(dir, 'conftest.py'))) return { framework: 'pytest', reason: 'conftest.py' }
  if (existsSync(join(dir, 'go.mod'))) return { framework: 'go', reason: 'go.mod' }
  if (nodeTestScript(dir)) return { framework: 'node', reason: 'package.json test script' }
  return undefined
}

/** The `module` line of go.mod: test2json names packages by import path. */
export function goModulePath(dir: string): string | undefined {
  return /^module\s+(\S+)/m.exec(read(dir, 'go.mod') ?? '')?.[1]
}

export type PackageManager = 'npm' | 'yarn' | 'pnpm'

export function packageManager(dir: string): PackageManager {
  if (existsSync(join(dir, 'pnpm-lock.yaml'))) return 'pnpm'
  if (existsSync(join(dir, 'yarn.lock'))) return 'yarn'
  return 'npm'
}
