import '../core/esm-globals.js'
import { actionInputs } from '../core/inputs.js'
import { runEntry } from '../core/stage.js'
import { run } from './main.js'

await runEntry(() => run(actionInputs))
