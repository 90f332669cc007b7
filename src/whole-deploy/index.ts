import '../core/esm-globals.js'
import { readWithAppConfig } from '../core/app-config.js'
import { actionInputs } from '../core/inputs.js'
import { runAction } from '../core/entry.js'
import { post } from '../ssh-deploy/main.js'
import { readLockRelease } from '../ssh-deploy/settings.js'
import { run, setOutputs } from './main.js'
import { readRootSettings } from './root-settings.js'

await runAction({
  readSettings: () => readWithAppConfig(actionInputs, readRootSettings),
  run,
  setOutputs,
  post: () => post(() => readWithAppConfig(actionInputs, readLockRelease, { quiet: true }))
})
