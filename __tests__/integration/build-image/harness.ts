// Runs the build-image entry in this process the way the runner would: inputs
// from a map, outputs and the summary in files, the log captured.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ImageResult } from '../../../src/build-image/build.js'
import { run } from '../../../src/build-image/main.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { captureOutput } from '../../helpers/capture-output.js'
import { parseOutputs } from '../../testbed/action-runner.js'

export interface BuildRun {
  output: string
  outputs: Record<string, string>
  images: Record<string, ImageResult>
  summary: string
  /** core.setFailed was called. */
  failed: boolean
  /** What run() threw (an input error, a failed build), if anything. */
  error?: unknown
  elapsedMs: number
}

/** The runner's files for outputs and the summary, and the GitHub context of the run. */
export class ActionFiles {
  readonly dir = mkdtempSync(join(tmpdir(), 'deploykit-build-action-'))
  readonly output = join(this.dir, 'output')
  readonly summary = join(this.dir, 'summary')
  private readonly saved: Record<string, string | undefined> = {}

  constructor() {
    // @actions/core reads these from the environment; its summary remembers the first path.
    this.setEnv({ GITHUB_OUTPUT: this.output, GITHUB_STEP_SUMMARY: this.summary })
  }

  /** Sets environment variables for the runs that follow; `remove` restores the old values. */
  setEnv(values: Record<string, string | undefined>): void {
    for (const [key, value] of Object.entries(values)) {
      if (!(key in this.saved)) this.saved[key] = process.env[key]
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }

  /** Writes an event payload and points GITHUB_EVENT_PATH at it. */
  setEvent(name: string, payload: unknown): void {
    const path = join(this.dir, `${name}.json`)
    writeFileSync(path, JSON.stringify(payload))
    this.setEnv({ GITHUB_EVENT_PATH: path })
  }

  async run(inputs: Record<string, string>): Promise<BuildRun> {
    writeFileSync(this.output, '')
    writeFileSync(this.summary, '')
    const started = Date.now()
    const { output, error } = await captureOutput(() => run(mapInputs(inputs)))
    const elapsedMs = Date.now() - started
    const failed = process.exitCode === 1
    // setFailed marks the process as failed; that belongs to the action, not to jest.
    process.exitCode = undefined
    const outputs = parseOutputs(readFileSync(this.output, 'utf8'))
    return {
      output,
      outputs,
      images: outputs.images ? (JSON.parse(outputs.images) as Record<string, ImageResult>) : {},
      summary: readFileSync(this.summary, 'utf8'),
      failed,
      error,
      elapsedMs
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true })
    for (const [key, value] of Object.entries(this.saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
}
