// The test action's entry run in this process (helpers/in-process-action.ts),
// and the error annotations of its log.
import { run } from '../../../src/run-tests/main.js'
import { readTestSettings } from '../../../src/run-tests/settings.js'
import { InProcessAction, InProcessRun, throughEntry } from '../../helpers/in-process-action.js'

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

export interface TestRun extends InProcessRun {
  annotations: Annotation[]
}

/** The runner's files for outputs and the summary; GITHUB_WORKSPACE is the fixture root. */
export class ActionFiles extends InProcessAction {
  constructor(workspace: string) {
    super(
      throughEntry(read => ({ readSettings: () => readTestSettings(read), run })),
      { GITHUB_WORKSPACE: workspace }
    )
  }

  async run(inputs: Record<string, string>): Promise<TestRun> {
    const r = await this.runAction(inputs)
    return { ...r, annotations: errorAnnotations(r.output) }
  }
}
