// A machine whose docker CLI has no plugins (no buildx, no Compose v2), as
// where they were never installed: a runner without buildx, or a server with
// only Compose v1 (/usr/bin/docker-compose). The plugins on this machine are
// system-wide and shared, so they are not removed: the command runs in a
// mount namespace of its own where an empty directory is mounted over each
// plugin directory. The docker CLI, the engine and everything else are the
// machine's own.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where docker CLI 28 looks for plugins on Linux, besides DOCKER_CONFIG/cli-plugins. */
const SYSTEM_PLUGIN_DIRS = [
  '/usr/local/lib/docker/cli-plugins',
  '/usr/local/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/libexec/docker/cli-plugins',
  join(homedir(), '.docker', 'cli-plugins')
]

// `$1` is the empty directory, then the directories to hide up to `--`, then the command.
// bash, not sh: dash drops variables such as INPUT_DEFAULT-TAGS from the environment it passes on.
const HIDE_AND_EXEC =
  'empty=$1; shift; while [ "$1" != -- ]; do mount --bind "$empty" "$1" || exit 97; shift; done; shift; exec "$@"'

export interface WithoutDockerPlugins {
  /** Put before a command's argv to run it there (an sshd too: its sessions inherit the mounts). */
  launcher: string[]
  remove(): void
}

export function withoutDockerPlugins(): WithoutDockerPlugins {
  const empty = mkdtempSync(join(tmpdir(), 'deploykit-no-plugins-'))
  const hidden = SYSTEM_PLUGIN_DIRS.filter(dir => existsSync(dir))
  return {
    launcher: [
      'unshare',
      '--mount',
      '--propagation',
      'private',
      '--',
      'bash',
      '-c',
      HIDE_AND_EXEC,
      'bash',
      empty,
      ...hidden,
      '--'
    ],
    remove: () => rmSync(empty, { recursive: true, force: true })
  }
}
