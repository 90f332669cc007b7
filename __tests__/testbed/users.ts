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

/**
 * A local account whose login shell is `shell`, for key logins only (its
 * password field is `*`: not locked, which sshd without PAM refuses, and no
 * password works).
 */
export function ensureShellUser(name: string, shell: string): string {
  let exists = true
  try {
    execFileSync('id', [name], { stdio: 'ignore' })
  } catch {
    exists = false
  }
  if (exists) execFileSync('usermod', ['--shell', shell, '--password', '*', name])
  else execFileSync('useradd', ['--create-home', '--shell', shell, '--password', '*', name])
  return execFileSync('getent', ['passwd', name]).toString().split(':')[5]
}
