import * as core from '@actions/core'
import { watchSignals } from './cancellation.js'
import { errorMessage } from './errors.js'
import { logRemote } from './log.js'

/** How an action's work ended: the entry fails the step with `message` when not ok; the root action chains them. */
export interface StageResult {
  ok: boolean
  message: string
}

/**
 * What every action's entry does, in one shape: read the inputs into typed
 * settings (a bad input fails the step before any server is touched), run
 * the work on them, set the outputs, and fail the step with the message when
 * the work did not succeed.
 */
export interface ActionEntry<S, R extends StageResult> {
  readSettings: () => S
  run: (settings: S) => Promise<R>
  setOutputs?: (result: R) => void
  /**
   * The post step (action.yml `post:` runs the same bundle again after the
   * job): the first run does the work, the second only this cleanup. It reads
   * what it needs itself: it runs in a process of its own.
   */
  post?: () => Promise<void> | void
}

const IS_POST = 'is-post'

async function endStep(work: () => Promise<StageResult>): Promise<void> {
  try {
    const result = await work()
    if (result.ok) logRemote(result.message)
    else core.setFailed(result.message)
  } catch (err) {
    core.setFailed(errorMessage(err))
  }
}

export async function runAction<S, R extends StageResult>(entry: ActionEntry<S, R>): Promise<void> {
  const { post } = entry
  if (post) {
    if (core.getState(IS_POST) === 'true') {
      await endStep(async () => {
        await post()
        return { ok: true, message: 'post: done' }
      })
      return
    }
    core.saveState(IS_POST, 'true')
  }
  const unwatch = watchSignals()
  try {
    await endStep(async () => {
      const result = await entry.run(entry.readSettings())
      entry.setOutputs?.(result)
      return result
    })
  } finally {
    unwatch()
  }
}
