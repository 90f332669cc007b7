import '../core/esm-globals.js'
import { actionInputs } from '../core/inputs.js'
import { runEntryWithPost } from '../core/stage.js'
import { post } from '../ssh-deploy/main.js'
import { run, setOutputs } from './main.js'

await runEntryWithPost(
  async () => {
    const outcome = await run(actionInputs)
    setOutputs(outcome)
    return outcome
  },
  () => post(actionInputs)
)
