import { execFileSync } from 'node:child_process'

/** A local account with a password, for password authentication over sshd (UsePAM no reads /etc/shadow). */
export function ensurePasswordUser(name: string, password: string): void {
  try {
    execFileSync('id', [name], { stdio: 'ignore' })
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', name])
  }
  execFileSync('chpasswd', [], { input: `${name}:${password}\n` })
}
