import * as core from '@actions/core'
import type { HostContext } from '../core/fleet.js'
import { GitCredentials, gitCommands, RepositoryUrl } from '../commands/git.js'
import { registerSecret } from '../core/secrets.js'
import { parseRepository, repositorySecrets } from './repository-url.js'

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

export interface Clone {
  /** The commit checked out now, if any. */
  head?: string
  /** What fetches from origin are given. */
  credentials?: GitCredentials
}

/**
 * A clone made with a token in its URL keeps it in `.git/config`, which
 * every user of the server may read. The URL is stored without it; the
 * token is kept for this run's fetches unless `repository` brings its own.
 */
async function removeStoredCredentials(
  host: HostContext,
  dir: string
): Promise<GitCredentials | undefined> {
  const stored = await host.run(gitCommands.originUrl(dir), { quiet: true })
  if (stored.code !== 0) return undefined
  const text = stored.stdout.trim()
  // Registered before anything could print them, whatever becomes of the URL.
  for (const secret of repositorySecrets(text)) registerSecret(secret)
  let origin: RepositoryUrl
  try {
    origin = parseRepository(text, 'origin')
  } catch {
    // Credentials git cannot use safely (http://, an ssh password): dropped, not kept for later.
    origin = { url: text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, '$1'), shown: '' }
  }
  // An ssh user name is no secret and stays.
  if (origin.url === text) return undefined
  await host.check(gitCommands.setOriginUrl(dir, origin), { quiet: true })
  core.warning(
    `${host.label}: the origin URL of ${dir} held credentials in .git/config, readable by other users of the server; it is now ${origin.url}. Later deploys need them in repository (an https:// URL): they are handed to git for each fetch and stored nowhere`
  )
  return origin.credentials
}

/** Makes sure `dir` holds a clone of `repository` (cloning it if needed), with no credentials stored in it. */
export async function prepareClone(
  host: HostContext,
  dir: string,
  repository: RepositoryUrl | undefined
): Promise<Clone> {
  let stored: GitCredentials | undefined
  if ((await host.run(gitCommands.hasClone(dir), { quiet: true })).code !== 0) {
    if (!repository) {
      throw new Error(
        `${dir} is not a git clone and no repository was given; set repository to clone it`
      )
    }
    const entries = (await host.check(gitCommands.listEntries(dir), { quiet: true })).stdout
      .split('\n')
      .filter(Boolean)
    host.info(
      entries.length > 0
        ? `${dir} is not a git clone yet; it becomes a clone of ${repository.shown} and keeps its files (${entries.join(', ')}) unless the repository tracks the same paths`
        : `${dir} becomes a clone of ${repository.shown}`
    )
    await host.check(gitCommands.init(repository, dir))
  } else {
    stored = await removeStoredCredentials(host, dir)
  }
  await host.check(gitCommands.excludeState(dir), { quiet: true })
  const head = await host.run(gitCommands.head(dir), { quiet: true })
  return {
    head: head.code === 0 ? head.stdout.trim() : undefined,
    credentials: repository?.credentials ?? stored
  }
}

/** Fetches and resolves `ref` to a commit without changing the working tree. */
export async function fetchCommit(
  host: HostContext,
  dir: string,
  ref: string,
  credentials?: GitCredentials
): Promise<string> {
  await host.check(gitCommands.fetchAll(dir, credentials))
  let sha = await resolveRef(host, dir, ref)
  if (!sha) {
    const fetched = await host.run(gitCommands.fetchRef(dir, ref, credentials))
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
