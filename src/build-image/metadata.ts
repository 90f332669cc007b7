/**
 * Tags, version and labels of a build: from metadata-action's rules when
 * `tags` or `flavor` use them, else the plain tags and defaults of before.
 */
import {
  evaluateRules,
  expandGlobals,
  isRuleSyntax,
  MetaContext,
  metaTags,
  parseFlavor,
  parseTagRules
} from './metadata-rules.js'
import { defaultTags, GitContext } from './tags.js'

export function metaContext(
  git: GitContext,
  now: Date,
  env: NodeJS.ProcessEnv = process.env
): MetaContext {
  const event = git.event
  const eventName = event?.name ?? ''
  // metadata-action's DOCKER_METADATA_PR_HEAD_SHA: the pull request's head instead of its merge commit.
  const prHead =
    /^pull_request/.test(eventName) && /^true$/i.test(env.DOCKER_METADATA_PR_HEAD_SHA ?? '')
      ? event?.prHeadSha
      : ''
  const commitDate = event?.commitDate ? new Date(event.commitDate) : undefined
  return {
    eventName,
    ref: git.ref,
    sha: prHead || git.sha,
    defaultBranch: git.defaultBranch,
    baseRef: event?.baseRef ?? '',
    prBaseRef: event?.prBaseRef ?? '',
    commitDate: commitDate && !isNaN(commitDate.getTime()) ? commitDate : undefined,
    now
  }
}

export interface TagPlan {
  /** `rules`: metadata-action's syntax; `plain`: literal tags next to deploy-kit's defaults. */
  mode: 'rules' | 'plain'
  tags: string[]
  /** metadata-action's `version` (the highest-priority tag), or the most specific plain tag. */
  version: string
}

export interface TagInputs {
  tags: readonly string[]
  flavor: readonly string[]
  defaultTags: boolean
}

/** A rule or flavor line metadata-action would refuse, with the input it is in. */
export class RuleError extends Error {
  constructor(
    readonly input: 'tags' | 'flavor',
    message: string
  ) {
    super(message)
  }
}

function inInput<T>(input: 'tags' | 'flavor', fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw new RuleError(input, err instanceof Error ? err.message : String(err))
  }
}

/** Throws a RuleError naming the rule; settings.ts turns it into an input error. */
export function planTags(
  inputs: TagInputs,
  git: GitContext,
  now: Date,
  warn: (message: string) => void
): TagPlan {
  if (isRuleSyntax(inputs.tags) || inputs.flavor.length > 0) {
    const flavor = inInput('flavor', () => parseFlavor(inputs.flavor))
    const version = inInput('tags', () =>
      evaluateRules(parseTagRules(inputs.tags), flavor, metaContext(git, now), warn)
    )
    return { mode: 'rules', tags: metaTags(version, flavor), version: version.main ?? '' }
  }
  const extra = inputs.tags
    .flatMap(l => l.split(','))
    .map(t => t.trim())
    .filter(Boolean)
  const tags = [...new Set([...(inputs.defaultTags ? defaultTags(git) : []), ...extra])]
  return { mode: 'plain', tags, version: tags.find(t => t !== 'latest') ?? '' }
}

/**
 * metadata-action's OCI labels, sorted by key as it sorts them: the
 * repository's name, description, page and licence from the event payload.
 */
export function metadataActionLabels(
  git: GitContext,
  version: string,
  created: Date
): Record<string, string> {
  const event = git.event
  const url = event?.htmlUrl || (git.repository ? `${git.serverUrl}/${git.repository}` : '')
  return {
    'org.opencontainers.image.created': created.toISOString(),
    'org.opencontainers.image.description': event?.description ?? '',
    'org.opencontainers.image.licenses': event?.license ?? '',
    'org.opencontainers.image.revision': git.sha,
    'org.opencontainers.image.source': url,
    'org.opencontainers.image.title': event?.repoName || git.repository.split('/')[1] || '',
    'org.opencontainers.image.url': url,
    'org.opencontainers.image.version': version
  }
}

/** `labels` lines with metadata-action's expressions (`{{branch}}`, `{{date 'YYYY'}}`, …) filled in. */
export function expandLabelLines(lines: readonly string[], git: GitContext, now: Date): string[] {
  const ctx = metaContext(git, now)
  return lines.map(line => expandGlobals(line, ctx))
}
