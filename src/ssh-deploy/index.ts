import '../core/esm-globals.js'
import * as core from '@actions/core'
import { actionInputs } from '../core/inputs.js'
import { post, run } from './main.js'

const IS_POST = 'is-post'

try {
  if (core.getState(IS_POST) === 'true') {
    await post(actionInputs)
  } else {
    core.saveState(IS_POST, 'true')
    await run(actionInputs)
  }
} catch (err) {
  core.setFailed(err instanceof Error ? err.message : String(err))
}
