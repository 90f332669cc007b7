// The build-image entry run in this process (helpers/in-process-action.ts),
// with its `images` output parsed.
import type { ImageResult } from '../../../src/build-image/build.js'
import { run } from '../../../src/build-image/main.js'
import { readBuildSettings } from '../../../src/build-image/settings.js'
import { InProcessAction, InProcessRun, throughEntry } from '../../helpers/in-process-action.js'

export interface BuildRun extends InProcessRun {
  images: Record<string, ImageResult>
}

/** The runner's files for outputs and the summary, and the GitHub context of the run. */
export class ActionFiles extends InProcessAction {
  constructor() {
    super(throughEntry(read => ({ readSettings: () => readBuildSettings(read), run })))
  }

  async run(inputs: Record<string, string>): Promise<BuildRun> {
    const r = await this.runAction(inputs)
    return {
      ...r,
      images: r.outputs.images ? (JSON.parse(r.outputs.images) as Record<string, ImageResult>) : {}
    }
  }
}
