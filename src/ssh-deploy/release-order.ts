// Whether the commit to deploy is older than the live one. Two pushes can
// finish out of order; the older commit's deploy must not silently win.
// git decides: the commit is older when it is an ancestor of the live one.
import { execFileSync } from 'node:child_process'
import { ancestryCommand } from '../commands/git.js'
import { shownValue } from './env-values.js'
import { isFullSha } from '../core/git-ref.js'
import type { ReleaseRecord } from './release-log.js'

/** What one git repository knows about the commit to deploy and the live one. */
export interface AncestryFacts {
  /** A git repository was found there. */
  repository: boolean
  /** Its history is cut off (a shallow clone): a path it lacks proves nothing. */
  shallow: boolean
  /** Full commit ids, or '' when the repository does not have that commit. */
  candidate: string
  live: string
  candidateIsAncestor: boolean
  liveIsAncestor: boolean
}

export type ReleaseOrder =
  { kind: 'same' | 'newer' | 'older' | 'diverged' } | { kind: 'unknown'; reason: string }

export function parseAncestry(stdout: string): AncestryFacts {
  const [shallow = 'none', candidate = '', live = '', forward = '', backward = ''] = stdout
    .split('\n')
    .map(line => line.trim())
  const sha = (s: string) => (isFullSha(s) ? s : '')
  return {
    repository: shallow === 'true' || shallow === 'false',
    shallow: shallow === 'true',
    candidate: sha(candidate),
    live: sha(live),
    candidateIsAncestor: forward === '0',
    liveIsAncestor: backward === '0'
  }
}

/**
 * An ancestor found is one even in a shallow clone (a cut history only hides
 * paths); "neither contains the other" is known only with the whole history.
 */
export function decideOrder(
  facts: AncestryFacts,
  names: { candidate: string; live: string }
): ReleaseOrder {
  if (!facts.repository) return { kind: 'unknown', reason: 'is not a git repository' }
  if (!facts.candidate) return { kind: 'unknown', reason: `does not have ${names.candidate}` }
  if (!facts.live) return { kind: 'unknown', reason: `does not have ${names.live}` }
  if (facts.candidate === facts.live) return { kind: 'same' }
  if (facts.candidateIsAncestor) return { kind: 'older' }
  if (facts.liveIsAncestor) return { kind: 'newer' }
  if (facts.shallow)
    return { kind: 'unknown', reason: 'is a shallow clone, without the history that links them' }
  return { kind: 'diverged' }
}

/** The same question asked of the runner's checkout (`source: upload`). */
export function runnerAncestry(dir: string, candidate: string, live: string): AncestryFacts {
  const [cmd, ...args] = ancestryCommand(dir, candidate, live).argv
  try {
    return parseAncestry(
      execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    )
  } catch {
    return parseAncestry('')
  }
}

/** The live release as the log shows it; its fields come from the server, so each stays on its line. */
function describeLive(live: ReleaseRecord): string {
  const when = live.finishedAt ?? live.startedAt
  const by = live.actor ? `, deployed by ${shownValue(live.actor)}` : ''
  return `release ${shownValue(live.id)} (${shownValue(live.ref)}${by}${when ? ` at ${shownValue(when)}` : ''})`
}

/**
 * What to do about the order: a line for the log, or the refusal. `where`
 * names the repository asked (the server's clone, the runner's checkout).
 */
export function orderVerdict(
  order: ReleaseOrder,
  candidate: string,
  live: ReleaseRecord,
  allowOlder: boolean,
  where: string
): { refusal?: string; note?: string } {
  switch (order.kind) {
    case 'same':
      return {
        note: `${candidate} is the live commit of ${describeLive(live)}: deploying it again`
      }
    case 'newer':
      return { note: `${candidate} is newer than the live ${describeLive(live)}` }
    case 'diverged':
      return {
        note: `${candidate} is neither older nor newer than the live ${describeLive(live)}: they are on different lines of history (${where}); deploying it`
      }
    case 'unknown':
      return {
        note: `Could not check that ${candidate} is not older than the live ${describeLive(live)}: ${where} ${order.reason}; deploying it`
      }
    case 'older':
      return allowOlder
        ? {
            note: `${candidate} is older than the live ${describeLive(live)}; deploying it because allow-older is true`
          }
        : {
            refusal:
              `${candidate} is older than the live ${describeLive(live)}: it is an ancestor of ${shownValue(live.ref)}, so deploying it would go back ` +
              '(a deploy of an earlier push that ran last?). Nothing was changed. ' +
              'To deploy it anyway, set allow-older: true; to go back to a release, use rollback-to'
          }
  }
}

/** The live release's commit, when it is recorded as one: a name (a branch) says nothing of what was live. */
export function liveCommit(live: ReleaseRecord): string | undefined {
  return isFullSha(live.ref) ? live.ref : undefined
}
