// Builds one ncc bundle per action, then removes the native addons and
// Windows helpers ncc copies from ssh2, so every bundle is pure JavaScript
// (ssh2 falls back to its JavaScript crypto) and runs on any runner.
import { execFileSync } from 'node:child_process'
import { readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ACTIONS, ENTRIES } from './actions.mjs'

const NATIVE = /\.(node|exe)$/

function removeNative(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) removeNative(path)
    else if (NATIVE.test(name)) rmSync(path)
  }
}

const only = process.argv.slice(2)
for (const name of only.length ? only : ENTRIES) {
  const out = join('dist', name)
  rmSync(out, { recursive: true, force: true })
  execFileSync(
    'npx',
    [
      'ncc',
      'build',
      `src/${ACTIONS.find(a => a.name === name).source}/index.ts`,
      '-o',
      out,
      '--license',
      'licenses.txt',
      '-q'
    ],
    {
      stdio: 'inherit'
    }
  )
  removeNative(out)
}
