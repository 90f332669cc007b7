import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { writeSecretFiles } from '../../../src/build-image/secret-files.js'

const dir = mkdtempSync(join(tmpdir(), 'buildmeta-secret-files-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('writeSecretFiles', () => {
  it('writes each value to a file only its owner can read, in a directory only its owner can enter', () => {
    const files = writeSecretFiles(
      [
        { id: 'npm', value: 'token-1' },
        { id: 'pip', value: 'multi=part=value' }
      ],
      dir
    )
    expect([...files.keys()]).toEqual(['npm', 'pip'])
    const npm = files.get('npm') ?? ''
    expect(readFileSync(npm, 'utf8')).toBe('token-1')
    expect(readFileSync(files.get('pip') ?? '', 'utf8')).toBe('multi=part=value')
    expect(statSync(npm).mode & 0o777).toBe(0o600)
    expect(statSync(dirname(npm)).mode & 0o777).toBe(0o700)
    // The file name says nothing about the secret.
    expect(npm).toBe(join(dir, 'secrets', 'secret-0'))
  })

  it('writes nothing without secrets', () => {
    expect(writeSecretFiles([], join(dir, 'none')).size).toBe(0)
  })
})
