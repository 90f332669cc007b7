import { posix } from 'node:path'
import { RemoteCommand } from '../core/remote-command.js'
import { statePaths } from './state-paths.js'
import { fileCommands } from './files.js'

/** `source: upload`: each release unpacked into `releases/<id>`, `current` pointing at the live one. */
export const uploadCommands = {
  prepare: (appDir: string): RemoteCommand => ({
    argv: ['mkdir', '-p', '--', statePaths(appDir).releases]
  }),
  /** A tree that does not unpack whole (a full disk) is removed with its archive: it would keep the disk full. */
  unpack: (appDir: string, releaseId: string, archive: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'mkdir -- "$1" || exit; tar -xzf "$2" -C "$1" || { s=$?; rm -rf -- "$1"; rm -f -- "$2"; exit "$s"; }; rm -f -- "$2"',
      'sh',
      posix.join(statePaths(appDir).releases, releaseId),
      archive
    ]
  }),
  /** A new symlink renamed over `current`: the switch is atomic. */
  switchCurrent: (appDir: string, releaseId: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'ln -sfn "releases/$2" "$1/.current.tmp" && mv -fT "$1/.current.tmp" "$1/current"',
      'sh',
      appDir,
      releaseId
    ]
  }),
  currentTarget: (appDir: string): RemoteCommand => ({
    argv: ['readlink', statePaths(appDir).current]
  }),
  listReleases: (appDir: string): RemoteCommand => fileCommands.list(statePaths(appDir).releases),
  removeRelease: (appDir: string, releaseId: string): RemoteCommand =>
    fileCommands.removeTree(posix.join(statePaths(appDir).releases, releaseId)),
  exists: (path: string): RemoteCommand => fileCommands.isDirectory(path)
}
