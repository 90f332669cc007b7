import { readFileSync } from 'node:fs'

/** What the event payload adds for metadata-action's rules and labels. */
export interface EventInfo {
  /** GITHUB_EVENT_NAME: `push`, `pull_request`, `schedule`, … */
  name: string
  /** A push's `base_ref`. */
  baseRef: string
  /** A pull request's base branch and head commit. */
  prBaseRef: string
  prHeadSha: string
  /** The pushed head commit's time, when the payload has one. */
  commitDate?: string
  /** The repository as the payload describes it (metadata-action reads the same from the API). */
  repoName: string
  description: string
  htmlUrl: string
  license: string
}

/** What the workflow run says about the code being built. */
export interface GitContext {
  /** Full commit sha, or '' outside a workflow. */
  sha: string
  /** `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/7/merge`, or ''. */
  ref: string
  /** `owner/name`, or ''. */
  repository: string
  serverUrl: string
  /** From the event payload; '' when the event carries no repository. */
  defaultBranch: string
  event?: EventInfo
}

/** Reads the GitHub context from the runner's environment and the event payload it points at. */
export function readGitContext(env: NodeJS.ProcessEnv = process.env): GitContext {
  const payload = readEventPayload(env.GITHUB_EVENT_PATH)
  const str = (v: unknown) => (typeof v === 'string' ? v : '')
  return {
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    repository: env.GITHUB_REPOSITORY ?? '',
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    defaultBranch: str(payload.repository?.default_branch),
    event: {
      name: env.GITHUB_EVENT_NAME ?? '',
      baseRef: str(payload.base_ref),
      prBaseRef: str(payload.pull_request?.base?.ref),
      prHeadSha: str(payload.pull_request?.head?.sha),
      commitDate: str(payload.head_commit?.timestamp) || undefined,
      repoName: str(payload.repository?.name),
      description: str(payload.repository?.description),
      htmlUrl: str(payload.repository?.html_url),
      license: str(payload.repository?.license?.spdx_id)
    }
  }
}

interface EventPayload {
  repository?: {
    default_branch?: unknown
    name?: unknown
    description?: unknown
    html_url?: unknown
    license?: { spdx_id?: unknown } | null
  }
  base_ref?: unknown
  pull_request?: { base?: { ref?: unknown }; head?: { sha?: unknown } }
  head_commit?: { timestamp?: unknown } | null
}

function readEventPayload(path: string | undefined): EventPayload {
  if (!path) return {}
  try {
    const event = JSON.parse(readFileSync(path, 'utf8')) as unknown
    return event && typeof event === 'object' ? (event as EventPayload) : {}
  } catch {
    // A missing or unreadable payload only costs what the payload would add.
    return {}
  }
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

/** Docker's tag grammar: word characters, dots and dashes, not starting with . or -, at most 128. */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag)
}

/** A branch or git tag name made into a Docker tag: `feature/Login#2` → `feature-Login-2`. */
export function sanitizeTag(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128)
    .replace(/-+$/, '')
}

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/

interface RefKind {
  branch?: string
  tag?: string
  pullRequest?: string
}

function refKind(ref: string): RefKind {
  if (ref.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length) }
  if (ref.startsWith('refs/tags/')) return { tag: ref.slice('refs/tags/'.length) }
  const pr = /^refs\/pull\/(\d+)\//.exec(ref)
  return pr ? { pullRequest: pr[1] } : {}
}

/** `1.2.3`, `1.2`, `1` for v1.2.3; only the full version for a pre-release; no bare `0`. */
function semverTags(tag: string): string[] | undefined {
  const m = SEMVER.exec(tag)
  if (!m) return undefined
  const [, major, minor, patch, pre] = m
  if (pre) return [`${major}.${minor}.${patch}${pre}`]
  const tags = [`${major}.${minor}.${patch}`, `${major}.${minor}`]
  if (major !== '0') tags.push(major)
  return tags
}

/**
 * The tags a push gets by default, most specific first: the version for a
 * `vX.Y.Z` tag (then X.Y and X), the branch (and `latest` on the default
 * branch), `pr-N` for a pull request, and always `sha-<7>`.
 */
export function defaultTags(ctx: GitContext): string[] {
  const kind = refKind(ctx.ref)
  const tags: string[] = []
  if (kind.tag !== undefined) {
    tags.push(...(semverTags(kind.tag) ?? [sanitizeTag(kind.tag)]))
  } else if (kind.branch !== undefined) {
    tags.push(sanitizeTag(kind.branch))
    if (ctx.defaultBranch && kind.branch === ctx.defaultBranch) tags.push('latest')
  } else if (kind.pullRequest !== undefined) {
    tags.push(`pr-${kind.pullRequest}`)
  }
  if (ctx.sha) tags.push(`sha-${ctx.sha.slice(0, 7)}`)
  return [...new Set(tags.filter(t => t !== ''))]
}

/** The OCI labels every image gets; `version` is the most specific tag. */
export function ociLabels(
  ctx: GitContext,
  tags: readonly string[],
  title: string,
  created: Date
): Record<string, string> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': title,
    'org.opencontainers.image.created': created.toISOString()
  }
  if (ctx.repository) {
    const url = `${ctx.serverUrl}/${ctx.repository}`
    labels['org.opencontainers.image.source'] = url
    labels['org.opencontainers.image.url'] = url
  }
  if (ctx.sha) labels['org.opencontainers.image.revision'] = ctx.sha
  const version = tags.find(t => t !== 'latest')
  if (version) labels['org.opencontainers.image.version'] = version
  return labels
}
