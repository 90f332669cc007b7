// Code that writes to the runner (log, outputs, job summary) run in this
// process with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as files, one set per
// test file, removed after its tests.
import { afterAll } from '@jest/globals'
import { InProcessAction, InProcessRun } from './in-process-action.js'

export function runnerFiles(): (write: () => unknown) => Promise<InProcessRun> {
  let current: () => unknown = () => undefined
  const action = new InProcessAction(async () => {
    await current()
  })
  afterAll(() => action.remove())
  return write => {
    current = write
    return action.runAction({})
  }
}
