import { fileCommands } from '../commands/files.js'
import { statePaths } from '../commands/state-paths.js'
import type { HostContext } from '../core/fleet.js'
import { currentRelease, parseReleaseLog, ReleaseRecord } from '../ssh-deploy/release-log.js'

/**
 * Whether collectstatic passes `--clear`, and why. Django skips a file whose
 * copy in STATIC_ROOT is newer than its source. After a rollback the sources
 * are the older release's (its image, its release directory), and the copies
 * the failed release left are newer: without `--clear` they stay, and the old
 * code is served the new release's files.
 */
export type ClearChoice =
  | { clear: false }
  | { clear: true; reason: 'input' }
  | { clear: true; reason: 'rollback'; release?: string; restores?: string }

export function chooseClear(opts: {
  /** The `clear` input. */
  clearInput: boolean
  /** The caller rolled this host back just before (the root action's automatic rollback). */
  afterRollback: boolean
  /** The release live on the host, from its release log. */
  live: Pick<ReleaseRecord, 'id' | 'rollbackOf'> | undefined
}): ClearChoice {
  const { clearInput, afterRollback, live } = opts
  if (live?.rollbackOf)
    return { clear: true, reason: 'rollback', release: live.id, restores: live.rollbackOf }
  if (afterRollback) return { clear: true, reason: 'rollback', release: live?.id }
  return clearInput ? { clear: true, reason: 'input' } : { clear: false }
}

/** Why the copy clears STATIC_ROOT first, for the log and the summary; empty when it does not. */
export function clearReason(choice: ClearChoice): string {
  if (!choice.clear) return ''
  if (choice.reason === 'input') return 'clear: true'
  if (!choice.release) return 'the host was just rolled back'
  return choice.restores
    ? `release ${choice.release} went back to release ${choice.restores}`
    : `release ${choice.release} was just rolled back to`
}

/** The live release in the host's release log; none when there is no log (collectstatic after another tool's deploy). */
export async function liveRelease(
  host: HostContext,
  appDir: string
): Promise<ReleaseRecord | undefined> {
  const log = await host.run(fileCommands.read(statePaths(appDir).log), { quiet: true })
  return log.code === 0 ? currentRelease(parseReleaseLog(log.stdout)) : undefined
}
