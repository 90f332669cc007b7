import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import type { HostContext } from '../core/fleet.js'
import { pruneListed } from '../core/prune.js'
import { uploadCommands } from '../commands/upload.js'
import { statePaths } from '../commands/state-paths.js'

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
  kept: readonly string[]
): Promise<void> {
  const old = await pruneListed(host, {
    list: uploadCommands.listReleases(appDir),
    ours: id => !id.startsWith('.'),
    keepNewest: keep,
    isProtected: id => kept.includes(id),
    remove: id => uploadCommands.removeRelease(appDir, id)
  })
  if (old.length) host.info(`Removed old releases: ${old.join(', ')}`)
}
