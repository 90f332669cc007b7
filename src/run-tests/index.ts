import '../core/esm-globals.js'
import * as core from '@actions/core'
import { errorMessage } from '../core/errors.js'
import { actionInputs } from '../core/inputs.js'
import { run } from './main.js'

try {
  await run(actionInputs)
} catch (err) {
  core.setFailed(errorMessage(err))
}
