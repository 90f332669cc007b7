import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync
} from 'node:fs'
import { join } from 'node:path'

/** A shell a server could parse our commands with: as the login shell, and as the `sh` on PATH. */
export interface ShellUnderTest {
  name: 'dash' | 'bash' | 'busybox'
  /** The login shell's path; sshd runs it as `<basename> -c <exec string>`. */
  login: string
  /** The binary that `sh` is on such a server (bash run as `sh` is bash in POSIX mode). */
  binary: string
}

const CACHE = '/var/cache/deploykit-testbed/busybox'

/**
 * Debian's busybox-static (the testbed's /bin/busybox) is built with
 * FEATURE_SH_STANDALONE: its sh runs its own applets (`mkdir`, `test`, `rm`)
 * before looking at PATH, so a recorder on PATH never sees them and the real
 * ones would run. Debian's dynamic busybox, like Alpine's, finds programs on
 * PATH; its sh is the same ash. Its binary is extracted from the package into
 * a cache, next to a symlink named `ash` that makes it a login shell.
 */
function dynamicBusybox(): string {
  const binary = join(CACHE, 'busybox')
  if (existsSync(binary) && existsSync(join(CACHE, 'ash'))) return binary
  if (process.getuid?.() !== 0) {
    throw new Error(
      `The hostile-input test needs Debian's dynamic busybox in ${CACHE}; as root: ` +
        `apt-get download busybox && dpkg-deb -x busybox_*.deb x && install -D x/bin/busybox ${binary}`
    )
  }
  const work = mkdtempSync('/var/tmp/deploykit-busybox-')
  try {
    // apt fetches as its _apt user, which must be able to write here.
    chmodSync(work, 0o777)
    const download = () =>
      execFileSync('apt-get', ['download', '-qq', 'busybox'], { cwd: work, stdio: 'pipe' })
    try {
      download()
    } catch {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
      download()
    }
    const deb = readdirSync(work).find(f => f.endsWith('.deb'))
    if (!deb) throw new Error('apt-get download busybox left no .deb')
    execFileSync('dpkg-deb', ['-x', join(work, deb), join(work, 'root')])
    mkdirSync(CACHE, { recursive: true })
    copyFileSync(join(work, 'root/bin/busybox'), binary)
    chmodSync(binary, 0o755)
    rmSync(join(CACHE, 'ash'), { force: true })
    symlinkSync(binary, join(CACHE, 'ash'))
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return binary
}

/** dash (Debian's /bin/sh), bash (/bin/sh on Fedora, RHEL, Arch) and busybox ash (Alpine). */
export function shellsUnderTest(): ShellUnderTest[] {
  const busybox = dynamicBusybox()
  for (const path of ['/bin/dash', '/bin/bash']) {
    if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install -y dash bash`)
  }
  return [
    { name: 'dash', login: '/bin/dash', binary: '/bin/dash' },
    { name: 'bash', login: '/bin/bash', binary: '/bin/bash' },
    { name: 'busybox', login: join(CACHE, 'ash'), binary: busybox }
  ]
}
