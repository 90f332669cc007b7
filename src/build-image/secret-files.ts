import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BuildSettings } from './settings.js'

/**
 * The `secrets` values as files BuildKit reads (`--secret id=…,src=…`), so
 * no value is on a command line: mode 600 in a directory of mode 700 under this run's
 * build directory, which the run (or the post step) removes.
 */
export function writeSecretFiles(
  secrets: BuildSettings['buildkit']['secrets'],
  tempDir: string
): Map<string, string> {
  const files = new Map<string, string>()
  if (secrets.length === 0) return files
  const dir = join(tempDir, 'secrets')
  mkdirSync(dir, { mode: 0o700 })
  secrets.forEach(({ id, value }, i) => {
    const file = join(dir, `secret-${i}`)
    writeFileSync(file, value, { mode: 0o600 })
    files.set(id, file)
  })
  return files
}
