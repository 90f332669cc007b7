import '../core/esm-globals.js'
import { actionInputs } from '../core/inputs.js'
import { runEntry } from '../core/stage.js'
import { execute } from './main.js'

await runEntry(() => execute(actionInputs))
