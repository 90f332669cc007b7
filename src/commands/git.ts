import { RemoteCommand } from '../core/remote-command.js'
import { isFullSha } from '../core/git-ref.js'

export interface GitCredentials {
  /** `https://host[:port]`: git is given the credentials for this origin only. */
  origin: string
  username: string
  password: string
}

export interface RepositoryUrl {
  /** What git stores in `.git/config` and fetches from: never any credentials. */
  url: string
  /** For the log: user info as `***@`. */
  shown: string
  credentials?: GitCredentials
}

const CREDENTIAL_ENV = { username: 'DEPLOYKIT_GIT_USERNAME', password: 'DEPLOYKIT_GIT_PASSWORD' }

/**
 * A credential helper for this one git command, answering from the
 * environment, where the transport puts secret values by way of standard
 * input. The helper text holds no secret, so it may stand in argv; the empty
 * `credential.helper` first drops the server's own helpers, so none of them
 * stores the token (credential-store writes a plain file). Scoped to the
 * repository's origin: a clone whose origin is another host never gets it.
 */
function withCredentials(argv: string[], credentials?: GitCredentials): RemoteCommand {
  if (!credentials) return { argv }
  const helper =
    '!f() { test "$1" = get || exit 0; ' +
    `printf '%s\\n' "username=$${CREDENTIAL_ENV.username}" "password=$${CREDENTIAL_ENV.password}"; }; f`
  return {
    argv: [
      argv[0],
      '-c',
      'credential.helper=',
      '-c',
      `credential.${credentials.origin}.helper=${helper}`,
      ...argv.slice(1)
    ],
    // Without a terminal git would otherwise fail later and less clearly when the token is refused.
    env: {
      GIT_TERMINAL_PROMPT: '0',
      [CREDENTIAL_ENV.username]: credentials.username,
      [CREDENTIAL_ENV.password]: credentials.password
    },
    secretEnv: [CREDENTIAL_ENV.username, CREDENTIAL_ENV.password]
  }
}

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
  init: (repository: RepositoryUrl, dir: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'git init -q -- "$1" && git -C "$1" remote add --end-of-options origin "$2"',
      'sh',
      dir,
      repository.url
    ]
  }),
  /** Its output may hold a token a clone was made with: run quiet, never logged. */
  originUrl: (dir: string): RemoteCommand => ({
    argv: ['git', '-C', dir, 'config', '--get', 'remote.origin.url']
  }),
  setOriginUrl: (dir: string, repository: RepositoryUrl): RemoteCommand => ({
    argv: ['git', '-C', dir, 'remote', 'set-url', '--end-of-options', 'origin', repository.url]
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
  fetchAll: (dir: string, credentials?: GitCredentials): RemoteCommand =>
    withCredentials(
      [
        'git',
        '-C',
        dir,
        'fetch',
        '--force',
        '--prune',
        '--tags',
        'origin',
        '+refs/heads/*:refs/remotes/origin/*'
      ],
      credentials
    ),
  fetchRef: (dir: string, ref: string, credentials?: GitCredentials): RemoteCommand =>
    withCredentials(
      ['git', '-C', dir, 'fetch', '--force', '--end-of-options', 'origin', ref],
      credentials
    ),
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

/**
 * Prints, one per line: whether the repository is shallow (`none` outside
 * one), both commits as full ids (empty when missing), then the exit codes
 * of `merge-base --is-ancestor` both ways (0: it is an ancestor).
 */
export function ancestryCommand(dir: string, candidate: string, live: string): RemoteCommand {
  return {
    argv: [
      'sh',
      '-c',
      'git -C "$1" rev-parse --is-shallow-repository 2>/dev/null || { echo none; exit 0; }; ' +
        'for c in "$2" "$3"; do git -C "$1" rev-parse --verify --quiet --end-of-options "$c^{commit}" || echo; done; ' +
        'git -C "$1" merge-base --is-ancestor --end-of-options "$2" "$3" 2>/dev/null; echo $?; ' +
        'git -C "$1" merge-base --is-ancestor --end-of-options "$3" "$2" 2>/dev/null; echo $?',
      'sh',
      dir,
      candidate,
      live
    ]
  }
}
