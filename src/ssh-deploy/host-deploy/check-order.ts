import type { HostContext } from '../../core/fleet.js'
import { shownValue } from '../env-values.js'
import type { ReleaseRecord } from '../release-log.js'
import {
  AncestryFacts,
  decideOrder,
  liveCommit,
  orderVerdict,
  ReleaseOrder
} from '../release-order.js'
import type { DeploySettings } from '../settings.js'
import type { Chosen } from './context.js'

/** The live release a deploy must not go back from: a rollback goes back on purpose, source none has no commit. */
export function releaseToCompare(
  s: Pick<DeploySettings, 'source'>,
  { live, target }: Chosen
): ReleaseRecord | undefined {
  return !target && s.source !== 'none' ? live : undefined
}

/**
 * Refuses a commit older than the live one unless allow-older, asking the
 * repository at `where` through `ask`; logs the order, or why it is unknown.
 * Changes nothing, so nothing to undo.
 */
export async function checkOrder(
  host: HostContext,
  s: DeploySettings,
  live: ReleaseRecord,
  where: string,
  ask: (liveSha: string) => Promise<AncestryFacts>
): Promise<void> {
  const liveSha = liveCommit(live)
  const facts = liveSha ? await ask(liveSha) : undefined
  const candidate =
    facts?.candidate && facts.candidate !== s.ref ? `${s.ref} (${facts.candidate})` : s.ref
  const order: ReleaseOrder = facts
    ? decideOrder(facts, { candidate: s.ref, live: live.ref })
    : {
        kind: 'unknown',
        reason: `has no commit to compare with: the live release is recorded as ${shownValue(live.ref)}, not as a commit id`
      }
  const verdict = orderVerdict(order, candidate, live, s.allowOlder, where)
  if (verdict.refusal) throw new Error(verdict.refusal)
  const hint =
    order.kind === 'unknown' && s.source === 'upload'
      ? ' (with the history on the runner, e.g. actions/checkout with fetch-depth: 0, it is checked)'
      : ''
  if (verdict.note) host.info(verdict.note + hint)
}
