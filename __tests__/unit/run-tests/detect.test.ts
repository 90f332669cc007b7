import { afterEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  detectFramework,
  goModulePath,
  nodeTestScript,
  packageManager
} from '../../../src/run-tests/detect.js'

const dirs: string[] = []

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-detect-'))
  dirs.push(dir)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('detectFramework', () => {
  it.each([
    ['a Django project', { 'manage.py': '' }, 'django', 'manage.py'],
    ['pytest.ini', { 'pytest.ini': '[pytest]\n' }, 'pytest', 'pytest.ini'],
    [
      'pyproject.toml with [tool.pytest.ini_options]',
      { 'pyproject.toml': '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n' },
      'pytest',
      'pyproject.toml [tool.pytest]'
    ],
    [
      'setup.cfg with [tool:pytest]',
      { 'setup.cfg': '[tool:pytest]\n' },
      'pytest',
      'setup.cfg [tool:pytest]'
    ],
    ['tox.ini with [pytest]', { 'tox.ini': '[tox]\n[pytest]\n' }, 'pytest', 'tox.ini [pytest]'],
    ['a conftest.py', { 'conftest.py': '' }, 'pytest', 'conftest.py'],
    [
      'a Django project configured for pytest-django',
      { 'manage.py': '', 'pytest.ini': '[pytest]\nDJANGO_SETTINGS_MODULE = app.settings\n' },
      'pytest',
      'pytest.ini'
    ],
    ['a Go module', { 'go.mod': 'module example.com/shop\n\ngo 1.22\n' }, 'go', 'go.mod'],
    [
      'a package.json with a test script',
      { 'package.json': '{"scripts":{"test":"node --test"}}' },
      'node',
      'package.json test script'
    ]
  ])('finds %s', (_what, files, framework, reason) => {
    expect(detectFramework(project(files))).toEqual({ framework, reason })
  })

  it.each([
    ['an empty directory', {}],
    [
      'npm init’s placeholder test script',
      { 'package.json': '{"scripts":{"test":"echo \\"Error: no test specified\\" && exit 1"}}' }
    ],
    ['a package.json that is not JSON', { 'package.json': '{' }],
    ['a pyproject.toml without pytest', { 'pyproject.toml': '[tool.black]\n' }]
  ])('finds nothing in %s', (_what, files) => {
    expect(detectFramework(project(files))).toBeUndefined()
  })

  it('reads the test script, the Go module path and the package manager', () => {
    expect(nodeTestScript(project({ 'package.json': '{"scripts":{"test":"jest"}}' }))).toBe('jest')
    expect(goModulePath(project({ 'go.mod': '// c\nmodule example.com/shop/v2\n' }))).toBe(
      'example.com/shop/v2'
    )
    expect(packageManager(project({ 'package-lock.json': '{}' }))).toBe('npm')
    expect(packageManager(project({ 'yarn.lock': '' }))).toBe('yarn')
    expect(packageManager(project({ 'pnpm-lock.yaml': '' }))).toBe('pnpm')
  })
})
