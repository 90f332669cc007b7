import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/**
 * Debian's interpreter, with the python3-* packages apt installs. PATH may
 * lead to another python (pyenv, setup-python) that does not see them, so
 * the tests name it through the action's `python` input.
 */
export const DEBIAN_PYTHON = '/usr/bin/python3'

function aptInstall(debianPackage: string, why: string): void {
  if (process.getuid?.() !== 0) {
    throw new Error(`${why}: install it with sudo apt-get install -y ${debianPackage}`)
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', debianPackage], {
    stdio: 'inherit',
    env
  })
}

function imports(module: string): boolean {
  try {
    execFileSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Installs the Debian package for a module unless the interpreter already imports it. */
export function ensurePythonModule(module: string, debianPackage: string): void {
  if (!imports(module)) aptInstall(debianPackage, `${DEBIAN_PYTHON} cannot import ${module}`)
}

/** Installs the Debian package that provides `binary` unless it is there. */
export function ensureBinary(binary: string, debianPackage: string): void {
  if (!existsSync(binary)) aptInstall(debianPackage, `${binary} is missing`)
}
