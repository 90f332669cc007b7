import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import type { HostContext } from '../core/fleet.js'
import { RemoteCommand } from '../core/remote-command.js'
import { statePaths } from './state-paths.js'

/**
 * Packs the checked-out tree on the runner: in a git work tree, the tracked
 * and untracked files that .gitignore does not exclude; otherwise everything.
 */
export function packTree(path: string): { archive: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-upload-'))
  const archive = join(dir, 'release.tar.gz')
  if (existsSync(join(path, '.git'))) {
    const files = execFileSync('git', [
      '-C',
      path,
      'ls-files',
      '-z',
      '--cached',
      '--others',
      '--exclude-standard'
    ])
    const present = files
      .toString('utf8')
      .split('\0')
      .filter(f => f && existsSync(join(path, f)))
    execFileSync('tar', ['-czf', archive, '-C', path, '--null', '-T', '-'], {
      input: present.join('\0')
    })
  } else {
    execFileSync('tar', ['-czf', archive, '-C', path, '.'])
  }
  return { archive, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export const uploadCommands = {
  prepare: (appDir: string): RemoteCommand => ({
    argv: ['mkdir', '-p', '--', statePaths(appDir).releases]
  }),
  unpack: (appDir: string, releaseId: string, archive: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'mkdir -- "$1" && tar -xzf "$2" -C "$1" && rm -f -- "$2"',
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
  listReleases: (appDir: string): RemoteCommand => ({
    argv: ['ls', '-1', '--', statePaths(appDir).releases]
  }),
  removeRelease: (appDir: string, releaseId: string): RemoteCommand => ({
    argv: ['rm', '-rf', '--', posix.join(statePaths(appDir).releases, releaseId)]
  }),
  exists: (path: string): RemoteCommand => ({ argv: ['test', '-d', path] })
}

/** Uploads the packed tree into `releases/<id>`; the live release is untouched until the switch. */
export async function uploadRelease(
  host: HostContext,
  appDir: string,
  releaseId: string,
  archive: string
): Promise<string> {
  await host.check(uploadCommands.prepare(appDir), { quiet: true })
  const remoteArchive = posix.join(statePaths(appDir).releases, `.incoming-${releaseId}.tar.gz`)
  await host.transport.upload(archive, remoteArchive)
  await host.check(uploadCommands.unpack(appDir, releaseId, remoteArchive))
  return posix.join(statePaths(appDir).releases, releaseId)
}

/** Deletes all but the newest `keep` releases, never the live one. */
export async function pruneReleases(
  host: HostContext,
  appDir: string,
  keep: number,
  live: string
): Promise<void> {
  const listed = await host.run(uploadCommands.listReleases(appDir), { quiet: true })
  const ids = listed.stdout
    .split('\n')
    .map(s => s.trim())
    .filter(s => s && !s.startsWith('.'))
    .sort()
  const old = ids.slice(0, Math.max(0, ids.length - keep)).filter(id => id !== live)
  for (const id of old) await host.run(uploadCommands.removeRelease(appDir, id), { quiet: true })
  if (old.length) host.info(`Removed old releases: ${old.join(', ')}`)
}
