import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** A local account with a password, for password authentication over sshd (UsePAM no reads /etc/shadow). */
export function ensurePasswordUser(name: string, password: string, shell = '/bin/sh'): void {
  try {
    execFileSync('id', [name], { stdio: 'ignore' })
    execFileSync('usermod', ['--shell', shell, name])
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', shell, name])
  }
  execFileSync('chpasswd', [], { input: `${name}:${password}\n` })
}

export const SHELL_KINDS = ['dash', 'bash', 'busybox'] as const
export type ShellKind = (typeof SHELL_KINDS)[number]

const REAL_SHELL: Record<ShellKind, string> = {
  dash: '/bin/dash',
  bash: '/bin/bash',
  busybox: '/bin/busybox'
}

/** A password account whose login shell and `sh` are one shell, and which records their argv. */
export interface ShellUser {
  name: string
  password: string
  kind: ShellKind
  /** Every argv its login shell and `sh` were started with so far, one per line. */
  recordedArgv(): string
  clearRecord(): void
}

/**
 * An account whose login shell is `kind` and whose PATH finds `kind` as `sh`,
 * as on a server where /bin/sh is bash or busybox. Both go through a recorder
 * that appends its argv to ~/argv.log before it runs the real shell (under
 * the name sh, so bash is in POSIX mode and busybox runs its sh applet).
 */
export function ensureShellUser(kind: ShellKind, password: string, root: string): ShellUser {
  const name = `deploykit-${kind}`
  const dir = join(root, kind)
  const real = join(dir, 'real')
  mkdirSync(real, { recursive: true })
  rmSync(join(real, 'sh'), { force: true })
  symlinkSync(REAL_SHELL[kind], join(real, 'sh'))
  const recorder = join(dir, 'sh')
  writeFileSync(
    recorder,
    [
      '#!/bin/dash',
      `PATH=${dir}:$PATH; export PATH`,
      `printf '%s\\n' "$0 $*" >> "$HOME/argv.log"`,
      `exec ${join(real, 'sh')} "$@"`,
      ''
    ].join('\n')
  )
  chmodSync(recorder, 0o755)
  for (const d of [root, dir, real]) chmodSync(d, 0o755)
  ensurePasswordUser(name, password, recorder)
  const home = execFileSync('getent', ['passwd', name]).toString().split(':')[5]
  const log = join(home, 'argv.log')
  const clearRecord = () => {
    writeFileSync(log, '')
    execFileSync('chown', [name, log])
  }
  clearRecord()
  return {
    name,
    password,
    kind,
    recordedArgv: () => readFileSync(log, 'utf8'),
    clearRecord
  }
}

/**
 * A local account whose login shell is `shell`, for key logins only (its
 * password field is `*`: not locked, which sshd without PAM refuses, and no
 * password works).
 */
export function ensureKeyLoginUser(name: string, shell: string): string {
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
