import * as core from '@actions/core'
import type { HostContext } from '../core/fleet.js'
import { RemoteCommand } from '../core/remote-command.js'
import { isFullSha } from './git-ref.js'

/**
 * git commands for the server's clone, as data. A ref is never where git
 * could take it for an option: `--end-of-options` before it, or a full sha.
 */
export const gitCommands = {
  hasClone: (dir: string): RemoteCommand => ({ argv: ['test', '-d', `${dir}/.git`] }),
  listEntries: (dir: string): RemoteCommand => ({
    argv: ['sh', '-c', '[ ! -d "$1" ] || ls -A -- "$1"', 'sh', dir]
  }),
  /** init + remote instead of clone, so a directory that already holds the env file can become the clone. */
  init: (repository: string, dir: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'git init -q -- "$1" && git -C "$1" remote add origin "$2"',
      'sh',
      dir,
      repository
    ]
  }),
  /** Keeps deploy-kit's own state out of `git status` and stashes. */
  excludeState: (dir: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'f="$1/.git/info/exclude"; mkdir -p "$1/.git/info"; grep -qxF "/.deploy-kit/" "$f" 2>/dev/null || echo "/.deploy-kit/" >> "$f"',
      'sh',
      dir
    ]
  }),
  head: (dir: string): RemoteCommand => ({
    argv: ['git', '-C', dir, 'rev-parse', '--verify', '--quiet', 'HEAD']
  }),
  changedTracked: (dir: string): RemoteCommand => ({
    argv: ['git', '-C', dir, 'status', '--porcelain', '--untracked-files=no']
  }),
  stash: (dir: string, message: string): RemoteCommand => ({
    argv: ['git', '-C', dir, 'stash', 'push', '--message', message]
  }),
  fetchAll: (dir: string): RemoteCommand => ({
    argv: [
      'git',
      '-C',
      dir,
      'fetch',
      '--force',
      '--prune',
      '--tags',
      'origin',
      '+refs/heads/*:refs/remotes/origin/*'
    ]
  }),
  fetchRef: (dir: string, ref: string): RemoteCommand => ({
    argv: ['git', '-C', dir, 'fetch', '--force', '--end-of-options', 'origin', ref]
  }),
  resolve: (dir: string, name: string): RemoteCommand => ({
    argv: [
      'git',
      '-C',
      dir,
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${name}^{commit}`
    ]
  }),
  /** git 2.39's checkout refuses `--end-of-options` after `--detach`, so only a full sha gets here. */
  checkout: (dir: string, sha: string): RemoteCommand => {
    if (!isFullSha(sha))
      throw new Error(`refusing to check out ${JSON.stringify(sha)}: not a full commit sha`)
    return { argv: ['git', '-C', dir, 'checkout', '--force', '--detach', sha] }
  }
}

async function resolveRef(
  host: HostContext,
  dir: string,
  ref: string
): Promise<string | undefined> {
  for (const name of [`origin/${ref}`, ref]) {
    const r = await host.run(gitCommands.resolve(dir, name), { quiet: true })
    if (r.code === 0) return r.stdout.trim()
  }
  return undefined
}

/** Makes sure `dir` holds a clone (cloning `repository` if needed) and returns the commit checked out now, if any. */
export async function prepareClone(
  host: HostContext,
  dir: string,
  repository: string
): Promise<string | undefined> {
  if ((await host.run(gitCommands.hasClone(dir), { quiet: true })).code !== 0) {
    if (!repository) {
      throw new Error(
        `${dir} is not a git clone and no repository was given; set repository to clone it`
      )
    }
    const entries = (await host.check(gitCommands.listEntries(dir), { quiet: true })).stdout
      .split('\n')
      .filter(Boolean)
    if (entries.length > 0) {
      host.info(
        `${dir} is not a git clone yet; it becomes one and keeps its files (${entries.join(', ')}) unless the repository tracks the same paths`
      )
    }
    await host.check(gitCommands.init(repository, dir))
  }
  await host.check(gitCommands.excludeState(dir), { quiet: true })
  const head = await host.run(gitCommands.head(dir), { quiet: true })
  return head.code === 0 ? head.stdout.trim() : undefined
}

/** Fetches and resolves `ref` to a commit without changing the working tree. */
export async function fetchCommit(host: HostContext, dir: string, ref: string): Promise<string> {
  await host.check(gitCommands.fetchAll(dir))
  let sha = await resolveRef(host, dir, ref)
  if (!sha) {
    const fetched = await host.run(gitCommands.fetchRef(dir, ref))
    if (fetched.code === 0) sha = await resolveRef(host, dir, 'FETCH_HEAD')
  }
  if (!sha)
    throw new Error(`${ref} was not found in the repository of ${dir} (fetched from origin)`)
  return sha
}

/**
 * Moves the clone to exactly `sha`. Local edits to tracked files are stashed
 * and reported, never silently lost.
 */
export async function checkoutCommit(
  host: HostContext,
  dir: string,
  sha: string,
  releaseId: string
): Promise<void> {
  const changed = (await host.check(gitCommands.changedTracked(dir), { quiet: true })).stdout.trim()
  if (changed) {
    const message = `deploy-kit: local changes before release ${releaseId}`
    await host.check(gitCommands.stash(dir, message), { quiet: true })
    core.warning(
      `${host.label}: ${dir} had local changes to tracked files; they are kept in \`git stash\` as "${message}":\n${changed}`
    )
  }
  await host.check(gitCommands.checkout(dir, sha))
}
