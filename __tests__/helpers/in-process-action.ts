// Runs an action's entry in this process the way the runner would: inputs
// from a map, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as files, the log
// captured. Faster than the bundle under Node 24 (action-runner.ts), for
// suites that run an action many times.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ActionEntry, runAction, StageResult } from '../../src/core/entry.js'
import { InputReader, mapInputs } from '../../src/core/inputs.js'
import { parseOutputs } from '../../testbed/action-runner.js'
import { captureOutput } from './capture-output.js'

export interface InProcessRun {
  /** Everything written to stdout/stderr, as the runner receives it. */
  output: string
  outputs: Record<string, string>
  summary: string
  /** core.setFailed was called. */
  failed: boolean
  /** What the entry threw (an input error, say), if anything. */
  error?: unknown
  elapsedMs: number
}

/**
 * An action run through its entry (src/core/entry.ts) as its index.ts runs
 * it: the step fails as the runner shows it, and what the work threw (an
 * input error, say) is thrown again afterwards for the test to look at.
 */
export function throughEntry<S, R extends StageResult>(
  entryFor: (read: InputReader) => ActionEntry<S, R>
): (read: InputReader) => Promise<void> {
  return async read => {
    const entry = entryFor(read)
    let thrown: { error: unknown } | undefined
    const kept = (error: unknown): never => {
      thrown = { error }
      throw error
    }
    await runAction({
      ...entry,
      readSettings: () => {
        try {
          return entry.readSettings()
        } catch (error) {
          return kept(error)
        }
      },
      run: settings => entry.run(settings).catch(kept)
    })
    if (thrown) throw thrown.error
  }
}

/** One set of runner files per test file; `remove` deletes them and restores the environment. */
export class InProcessAction {
  readonly dir: string
  readonly output: string
  readonly summary: string
  private readonly saved: Record<string, string | undefined> = {}

  constructor(
    private readonly entry: (read: InputReader) => Promise<unknown>,
    env: Record<string, string | undefined> = {}
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'deploykit-action-'))
    this.output = join(this.dir, 'output')
    this.summary = join(this.dir, 'summary')
    // @actions/core reads these from the environment; its summary remembers the first path.
    this.setEnv({ GITHUB_OUTPUT: this.output, GITHUB_STEP_SUMMARY: this.summary, ...env })
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

  async runAction(inputs: Record<string, string>): Promise<InProcessRun> {
    writeFileSync(this.output, '')
    writeFileSync(this.summary, '')
    const started = Date.now()
    const { output, error } = await captureOutput(() => this.entry(mapInputs(inputs)))
    const elapsedMs = Date.now() - started
    const failed = process.exitCode === 1
    // setFailed marks the process as failed; that belongs to the action, not to jest.
    process.exitCode = undefined
    return {
      output,
      outputs: parseOutputs(readFileSync(this.output, 'utf8')),
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
