import '../core/esm-globals.js'
import { actionInputs } from '../core/inputs.js'
import { runAction } from '../core/entry.js'
import { post, run } from './main.js'
import { readBuildSettings } from './settings.js'

await runAction({ readSettings: () => readBuildSettings(actionInputs), run, post })
