import '../core/esm-globals.js'
import { readWithAppConfig } from '../core/app-config.js'
import { actionInputs } from '../core/inputs.js'
import { runAction } from '../core/entry.js'
import { post, run } from './main.js'
import { readDeploySettings, readLockRelease } from './settings.js'

await runAction({
  readSettings: () => readWithAppConfig(actionInputs, readDeploySettings),
  run,
  post: () => post(() => readWithAppConfig(actionInputs, readLockRelease, { quiet: true }))
})
