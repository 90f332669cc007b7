import { RemoteCommand } from '../core/remote-command.js'

/** Files and directories on the server (env file, release log, releases, backups). */
export const fileCommands = {
  /** Prints the file; exit 0 with nothing when it does not exist. */
  read: (path: string): RemoteCommand => ({
    argv: ['sh', '-c', '[ ! -e "$1" ] || cat -- "$1"', 'sh', path]
  }),
  /**
   * Appends to a private file (the release log holds stderr excerpts): 600,
   * also when an older copy was not. What is appended starts on a line of its
   * own: after a line a killed run cut short, a newline goes first.
   */
  append: (path: string, text: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'umask 077; mkdir -p -- "$(dirname -- "$1")" && ' +
        '{ [ ! -s "$1" ] || [ -z "$(tail -c 1 -- "$1")" ] || echo >> "$1"; } && ' +
        'cat >> "$1" && chmod 600 "$1"',
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
  }),
  isDirectory: (path: string): RemoteCommand => ({ argv: ['test', '-d', path] }),
  isSymlink: (path: string): RemoteCommand => ({ argv: ['test', '-L', path] }),
  /** Names in the directory, one per line. */
  list: (dir: string): RemoteCommand => ({ argv: ['ls', '-1', '--', dir] }),
  removeFile: (path: string): RemoteCommand => ({ argv: ['rm', '-f', '--', path] }),
  removeTree: (path: string): RemoteCommand => ({ argv: ['rm', '-rf', '--', path] })
}
