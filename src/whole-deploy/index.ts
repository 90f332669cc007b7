import '../core/esm-globals.js'
import { actionInputs } from '../core/inputs.js'
import { runAction } from '../core/entry.js'
import { post } from '../ssh-deploy/main.js'
import { readLockRelease } from '../ssh-deploy/settings.js'
import { run, setOutputs } from './main.js'
import { readRootSettings } from './root-settings.js'

await runAction({
  readSettings: () => readRootSettings(actionInputs),
  run,
  setOutputs,
  post: () => post(() => readLockRelease(actionInputs))
})
