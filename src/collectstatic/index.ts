import '../core/esm-globals.js'
import { actionInputs } from '../core/inputs.js'
import { runAction } from '../core/entry.js'
import { readCollectstaticSettings, run } from './main.js'

await runAction({ readSettings: () => readCollectstaticSettings(actionInputs), run })
