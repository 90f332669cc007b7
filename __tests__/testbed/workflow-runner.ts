// Runs a reusable workflow of this repo on the testbed the way GitHub would
// run it, following its own jobs and steps: `if:` conditions, `needs`,
// `with:` expressions, step and job outputs. `uses: $/<action>` runs that
// action's bundle under Node 24 (action-runner.ts); any other `uses:` is
// handed to the caller's `external` function (e.g. actions/checkout).
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { ActionRun, runAction } from './action-runner.js'
import { condition, ExpressionContext, interpolate } from './workflow-expressions.js'

interface Step {
  id?: string
  name?: string
  if?: unknown
  uses?: string
  with?: Record<string, unknown>
}
interface Job {
  needs?: string | string[]
  if?: unknown
  outputs?: Record<string, string>
  steps: Step[]
}
interface Workflow {
  on: { workflow_call: { inputs?: Record<string, { default?: unknown; type?: string }> } }
  jobs: Record<string, Job>
}

export type Result = 'success' | 'failure' | 'skipped'

export interface StepRun {
  uses: string
  result: Result
  run?: ActionRun
}

export interface JobRun {
  result: Result
  outputs: Record<string, string>
  steps: StepRun[]
}

export interface WorkflowRunOptions {
  inputs: Record<string, unknown>
  secrets: Record<string, string>
  /** Environment of every action step (GITHUB_SHA, GITHUB_REPOSITORY, …). */
  env: NodeJS.ProcessEnv
  /** The runner's workspace: actions run in it. */
  workspace: string
  /** Steps that are not deploy-kit's own, e.g. actions/checkout. */
  external?: (uses: string, withs: Record<string, string>) => Promise<void>
  /** Runs when a job ends: each job has a runner machine of its own, discarded afterwards. */
  afterJob?: (name: string, job: JobRun) => Promise<void>
}

/** `$/ssh-deploy` → the bundle name; `$/` is the root action. */
function ownAction(uses: string): string | undefined {
  const m = /^\$\/(.*)$/.exec(uses)
  return m ? m[1] || 'deploy' : undefined
}

export async function runWorkflow(
  file: string,
  opts: WorkflowRunOptions
): Promise<Record<string, JobRun>> {
  const wf = parse(readFileSync(file, 'utf8')) as Workflow
  const inputs: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(wf.on.workflow_call.inputs ?? {}))
    inputs[name] = opts.inputs[name] ?? spec.default ?? ''
  for (const name of Object.keys(opts.inputs)) {
    if (!(name in inputs)) throw new Error(`${file} has no input ${name}`)
  }
  const jobs: Record<string, JobRun> = {}
  for (const [name, job] of Object.entries(wf.jobs)) {
    const needs = typeof job.needs === 'string' ? [job.needs] : (job.needs ?? [])
    const needsData = Object.fromEntries(
      needs.map(n => [n, { result: jobs[n].result, outputs: jobs[n].outputs }])
    )
    const jobCtx: ExpressionContext = {
      data: {
        inputs,
        secrets: opts.secrets,
        github: { token: 'ghs_workflowtoken' },
        needs: needsData
      },
      failed: needs.some(n => jobs[n].result === 'failure')
    }
    const statusAware = /\b(failure|success|cancelled|always)\(\)/.test(String(job.if ?? ''))
    const run =
      (statusAware || needs.every(n => jobs[n].result === 'success')) && condition(job.if, jobCtx)
    if (!run) {
      jobs[name] = { result: 'skipped', outputs: {}, steps: [] }
      continue
    }
    const steps: Record<string, { outputs: Record<string, string>; outcome: Result }> = {}
    const runs: StepRun[] = []
    let failed = false
    for (const step of job.steps) {
      const ctx: ExpressionContext = { data: { ...jobCtx.data, steps }, failed }
      if (!condition(step.if, ctx)) {
        runs.push({ uses: step.uses ?? '', result: 'skipped' })
        continue
      }
      const withs = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([k, v]) => [k, interpolate(v, ctx)])
      )
      const action = step.uses ? ownAction(step.uses) : undefined
      let result: Result = 'success'
      let actionRun: ActionRun | undefined
      if (action) {
        actionRun = await runAction(action, withs, { env: opts.env, cwd: opts.workspace })
        result = actionRun.code === 0 ? 'success' : 'failure'
      } else if (step.uses) {
        await opts.external?.(step.uses, withs)
      }
      if (step.id) steps[step.id] = { outputs: actionRun?.outputs ?? {}, outcome: result }
      runs.push({ uses: step.uses ?? '', result, run: actionRun })
      if (result === 'failure') failed = true
    }
    const outCtx: ExpressionContext = { data: { ...jobCtx.data, steps }, failed }
    const outputs = Object.fromEntries(
      Object.entries(job.outputs ?? {}).map(([k, v]) => [k, interpolate(v, outCtx)])
    )
    jobs[name] = { result: failed ? 'failure' : 'success', outputs, steps: runs }
    await opts.afterJob?.(name, jobs[name])
  }
  return jobs
}
