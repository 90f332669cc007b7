import { posix } from 'node:path'
import { RemoteCommand } from '../core/remote-command.js'

/** Small files on the server (env file, release log), read and written through the transport. */
export const fileCommands = {
  /** Prints the file; exit 0 with nothing when it does not exist. */
  read: (path: string): RemoteCommand => ({
    argv: ['sh', '-c', '[ ! -e "$1" ] || cat -- "$1"', 'sh', path]
  }),
  /** Appends to a private file (the release log holds stderr excerpts): 600, also when an older copy was not. */
  append: (path: string, text: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'umask 077; mkdir -p -- "$(dirname -- "$1")" && cat >> "$1" && chmod 600 "$1"',
      'sh',
      path
    ],
    stdin: text
  }),
  /**
   * Replaces a secret file atomically (a fresh temp file + rename, mode 600;
   * a temp file a killed run left behind may have any mode), keeps
   * the old one as `<file>.bak` (600 too, whatever mode the old one had) and
   * a copy for the release at `snapshot`.
   */
  writePrivate: (path: string, snapshot: string, text: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'umask 077; set -e; mkdir -p -- "$(dirname -- "$1")" "$(dirname -- "$2")"; ' +
        '[ ! -e "$1" ] || { rm -f -- "$1.bak.deploykit-tmp"; cat -- "$1" > "$1.bak.deploykit-tmp"; chmod 600 "$1.bak.deploykit-tmp"; mv -f -- "$1.bak.deploykit-tmp" "$1.bak"; }; ' +
        'rm -f -- "$1.deploykit-tmp"; cat > "$1.deploykit-tmp"; chmod 600 "$1.deploykit-tmp"; cp -- "$1.deploykit-tmp" "$2"; mv -f -- "$1.deploykit-tmp" "$1"',
      'sh',
      path,
      snapshot
    ],
    stdin: text
  }),
  runScript: (dir: string, script: string): RemoteCommand => ({
    cwd: dir,
    argv: ['sh', '-e', '-c', script]
  })
}

export function absoluteIn(dir: string, path: string): string {
  return posix.isAbsolute(path) ? path : posix.join(dir, path)
}
