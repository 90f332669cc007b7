import '../core/esm-globals.js'
import { actionInputs } from '../core/inputs.js'
import { runAction } from '../core/entry.js'
import { post, run } from './main.js'
import { readDeploySettings, readLockRelease } from './settings.js'

await runAction({
  readSettings: () => readDeploySettings(actionInputs),
  run,
  post: () => post(() => readLockRelease(actionInputs))
})
