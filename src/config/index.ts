import '../core/esm-globals.js'
import { actionInputs } from '../core/inputs.js'
import { runAction } from '../core/entry.js'
import { run, setOutputs } from './main.js'
import { resolveSettings } from './settings.js'

await runAction({ readSettings: () => resolveSettings(actionInputs), run, setOutputs })
