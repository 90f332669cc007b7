import * as core from '@actions/core'
import { logRemote } from './log.js'

/** How an action's work ended: the entry fails the step with `message` when not ok; the root action chains them. */
export interface StageResult {
  ok: boolean
  message: string
}

/** An action entry: run the work, fail the step when it did not succeed. */
export async function runEntry(execute: () => Promise<StageResult>): Promise<void> {
  try {
    const result = await execute()
    if (result.ok) logRemote(result.message)
    else core.setFailed(result.message)
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err))
  }
}

/**
 * An entry with a post step (action.yml `post:` runs the same bundle again
 * after the job): the first run does the work, the second cleans up.
 */
export async function runEntryWithPost(
  main: () => Promise<StageResult>,
  post: () => Promise<void>
): Promise<void> {
  const IS_POST = 'is-post'
  if (core.getState(IS_POST) === 'true') {
    await runEntry(async () => {
      await post()
      return { ok: true, message: 'post: done' }
    })
  } else {
    core.saveState(IS_POST, 'true')
    await runEntry(main)
  }
}
