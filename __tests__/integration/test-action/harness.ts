// Runs the test action's entry in this process the way the runner would:
// inputs from a map, outputs and the summary in files, the log captured.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mapInputs } from '../../../src/core/inputs.js'
import { run } from '../../../src/test/main.js'
import { captureOutput } from '../../helpers/capture-output.js'
import { parseOutputs } from '../../testbed/action-runner.js'

/** A `::error …::` workflow command, its properties unescaped. */
export interface Annotation {
  title?: string
  file?: string
  line?: number
  message: string
}

function unescape(text: string): string {
  return text
    .replace(/%0A/g, '\n')
    .replace(/%0D/g, '\r')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%')
}

/** The error annotations in a log, as the runner would read them. */
export function errorAnnotations(output: string): Annotation[] {
  return output
    .split('\n')
    .filter(l => l.startsWith('::error'))
    .map(line => {
      const m = /^::error(?: ([^:]*))?::(.*)$/.exec(line)
      const props: Record<string, string> = {}
      for (const part of (m?.[1] ?? '').split(',').filter(Boolean)) {
        const at = part.indexOf('=')
        props[part.slice(0, at)] = unescape(part.slice(at + 1))
      }
      return {
        title: props.title,
        file: props.file,
        line: props.line ? Number(props.line) : undefined,
        message: unescape(m?.[2] ?? '')
      }
    })
}

export interface TestRun {
  output: string
  outputs: Record<string, string>
  summary: string
  annotations: Annotation[]
  /** core.setFailed was called. */
  failed: boolean
  /** What run() threw (an input error), if anything. */
  error?: unknown
}

/** The runner's files for outputs and the summary; GITHUB_WORKSPACE is the fixture root. */
export class ActionFiles {
  readonly dir = mkdtempSync(join(tmpdir(), 'deploykit-test-action-'))
  readonly output = join(this.dir, 'output')
  readonly summary = join(this.dir, 'summary')
  private readonly saved: Record<string, string | undefined> = {}

  constructor(workspace: string) {
    // @actions/core reads these from the environment; its summary remembers the first path.
    for (const [key, value] of Object.entries({
      GITHUB_OUTPUT: this.output,
      GITHUB_STEP_SUMMARY: this.summary,
      GITHUB_WORKSPACE: workspace
    })) {
      this.saved[key] = process.env[key]
      process.env[key] = value
    }
  }

  async run(inputs: Record<string, string>): Promise<TestRun> {
    writeFileSync(this.output, '')
    writeFileSync(this.summary, '')
    const { output, error } = await captureOutput(() => run(mapInputs(inputs)))
    const failed = process.exitCode === 1
    // setFailed marks the process as failed; that belongs to the action, not to jest.
    process.exitCode = undefined
    return {
      output,
      outputs: parseOutputs(readFileSync(this.output, 'utf8')),
      summary: readFileSync(this.summary, 'utf8'),
      annotations: errorAnnotations(output),
      failed,
      error
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
