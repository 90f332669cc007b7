import * as core from '@actions/core'
import { maskSecrets } from './secrets.js'

// Lines for ACTIONS_STEP_DEBUG: what ran on which server, how long it took and
// how it ended, and why deploy-kit chose what it chose. `core.debug` writes one
// `::debug::` command whose line breaks it escapes, so the text (which may
// quote a server's words: a release id, an error) stays that one command's
// data, and the runner shows it only when step debug is on. Secrets
// deploy-kit registered are masked first, as everywhere else.

/** Writes a debug line: masked, one line. */
export function debugLine(text: string): void {
  core.debug(maskSecrets(text))
}

/** How a remote command ended, for its debug line. */
export function exitText(r: {
  code: number | null
  signal: string | null
  timedOut: boolean
}): string {
  const end = r.signal
    ? `signal ${r.signal}`
    : r.code === null
      ? 'no exit status'
      : `exit ${r.code}`
  return r.timedOut ? `timed out, stopped (${end})` : end
}

/** Times `work` and writes `what → how it ended in N ms`, also when it throws. */
export async function timed<T>(
  what: string,
  work: () => Promise<T>,
  ending: (result: T) => string = () => 'done'
): Promise<T> {
  const started = Date.now()
  try {
    const result = await work()
    debugLine(`${what} → ${ending(result)} in ${Date.now() - started} ms`)
    return result
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    debugLine(`${what} → failed in ${Date.now() - started} ms: ${message}`)
    throw err
  }
}
