import '../core/esm-globals.js'
import { actionInputs } from '../core/inputs.js'
import { runEntryWithPost } from '../core/stage.js'
import { post, run } from './main.js'

await runEntryWithPost(
  () => run(actionInputs),
  async () => post()
)
