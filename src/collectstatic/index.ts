import '../core/esm-globals.js'
import { actionInputs } from '../core/inputs.js'
import { runAction } from '../core/entry.js'
import { run } from './main.js'
import { readCollectstaticSettings } from './settings.js'

await runAction({ readSettings: () => readCollectstaticSettings(actionInputs), run })
