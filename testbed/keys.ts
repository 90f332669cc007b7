import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface KeyPair {
  privateKey: string
  publicKey: string
  path: string
}

/** Generates a user key with ssh-keygen (real OpenSSH formats). */
export function generateKey(
  dir: string,
  name: string,
  opts: { type?: 'ed25519' | 'rsa'; passphrase?: string } = {}
): KeyPair {
  const path = join(dir, name)
  const type = opts.type ?? 'ed25519'
  const bits = type === 'rsa' ? ['-b', '3072'] : []
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    type,
    ...bits,
    '-N',
    opts.passphrase ?? '',
    '-C',
    name,
    '-f',
    path
  ])
  return {
    privateKey: readFileSync(path, 'utf8'),
    publicKey: readFileSync(`${path}.pub`, 'utf8').trim(),
    path
  }
}
