import { afterAll, describe, expect, it } from '@jest/globals'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCommand } from '../../../src/run-tests/run-command.js'
import { captureOutput } from '../../helpers/capture-output.js'

const dir = mkdtempSync(join(tmpdir(), 'deploykit-run-command-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A program at `path` that prints its arguments, one per line. */
function program(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, '#!/bin/sh\nprintf "%s\\n" "$@"\n')
  chmodSync(path, 0o755)
  return path
}

describe('runCommand', () => {
  it('runs a program whose path has spaces, with its arguments unchanged', async () => {
    const python = program(join(dir, 'my tools', 'python 3'))
    const { value } = await captureOutput(() => runCommand([python, 'a b', '"q"'], { cwd: dir }))
    expect(value?.code).toBe(0)
    expect(value?.stdout).toBe('a b\n"q"\n')
  })

  it('refuses a program name @actions/exec would read otherwise, and runs nothing', async () => {
    const { value } = await captureOutput(() => runCommand(['python3 -c "print(1)"'], { cwd: dir }))
    expect(value?.code).toBe(127)
    expect(value?.stderr).toMatch(/cannot be run through @actions\/exec/)
  })
})
