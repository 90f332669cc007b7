// A stand-in for GitHub's runner, which cannot run here, built on GitHub's own
// workflow parser (@actions/workflow-parser) and expression evaluator
// (@actions/expressions). It runs a reusable workflow of this repo as a
// caller's job would, and refuses what GitHub refuses:
// - the file must parse and convert without errors;
// - every `uses:` must be a reference the runner accepts: `$/` names a path
//   (workflow-rules.ts `usesError`);
// - no job asks for more permissions than the caller's job grants, the
//   repository default when it sets none (workflow-rules.ts `permissionErrors`);
// - secrets and `::add-mask::` values are masked in every log and step
//   summary it hands back, and a job output containing one is dropped
//   (secret-masker.ts).
// Jobs run in `needs` order with `if:` and the status functions as GitHub
// computes them (a job is skipped when a job it needs did not succeed, unless
// its `if:` calls a status function; `failure()` sees every ancestor). Steps:
// `run:` in bash (`bash --noprofile --norc -eo pipefail {0}`) with the job's
// and step's `env` and GITHUB_OUTPUT/GITHUB_ENV/GITHUB_STEP_SUMMARY files;
// `uses: $/<path>` runs the JavaScript action in that folder (its action.yml
// `runs.main`, then `runs.post` at the end of the job) under Node 24;
// `actions/checkout` and `docker/setup-buildx-action` go to the caller's
// `external` stand-ins; any other `uses:` stops the workflow with an error
// naming it. A job that names an environment gets the deployment GitHub
// records for it (`in_progress` when it starts, then `success` or `failure`
// with the job, `environment.url` as its environment_url), unless its
// environment says `deployment: false`; the job's JobRun holds it.
import { Evaluator, Lexer, Parser, data } from '@actions/expressions'
import { truthy } from '@actions/expressions/result'
import {
  convertWorkflowTemplate,
  isBasicExpression,
  isMapping,
  isScalar,
  isSequence,
  NoOperationTraceWriter,
  parseWorkflow
} from '@actions/workflow-parser'
import type { Job, Step, WorkflowTemplate } from '@actions/workflow-parser/model/workflow-template'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ActionRun, parseOutputs, runBundle } from './action-runner.js'
import { keepOutputsWithoutSecrets, processStepOutput, SecretMasker } from './secret-masker.js'
import { callerMaximum, permissionErrors, selfRepositoryPath, usesError } from './workflow-rules.js'

export type Result = 'success' | 'failure' | 'skipped'

export interface StepRun {
  uses: string
  result: Result
  /** The step's run, its output and summary masked as the runner shows them. */
  run?: ActionRun
}

export interface JobRun {
  result: Result
  outputs: Record<string, string>
  steps: StepRun[]
  /** The runner's warnings, e.g. "Skip output … since it may contain secret." */
  warnings: string[]
  /** The labels its `runs-on` evaluated to (none for a skipped job). */
  runsOn?: string[]
  /** The deployment GitHub records for a job that names an environment. */
  deployment?: JobDeployment
}

export interface JobDeployment {
  environment: string
  url: string
  statuses: Array<'in_progress' | 'success' | 'failure'>
}

/** The actions outside deploy-kit that a caller's `external` stands in for. */
const STAND_INS = ['actions/checkout@', 'docker/setup-buildx-action@']

export interface WorkflowRunOptions {
  inputs: Record<string, unknown>
  secrets: Record<string, string>
  /** Environment of every step (GITHUB_SHA, GITHUB_REPOSITORY, …). */
  env: NodeJS.ProcessEnv
  /** The runner's workspace: steps run in it. */
  workspace: string
  /** The caller's `permissions:` (its job's, else its workflow's); undefined is the repository default. */
  callerPermissions?: unknown
  /** How the caller names the workflow in its `uses:`, for the runner's messages. */
  ref?: string
  /** Steps that are not deploy-kit's own, e.g. actions/checkout. */
  external?: (uses: string, withs: Record<string, string>) => Promise<void>
  /** Runs when a job ends: each job has a runner machine of its own, discarded afterwards. */
  afterJob?: (name: string, job: JobRun) => Promise<void>
}

/** The job-status functions an `if:` may call. */
export const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always']
/** The contexts a workflow expression may name. */
export const CONTEXTS = [
  'github',
  'inputs',
  'secrets',
  'needs',
  'steps',
  'env',
  'job',
  'jobs',
  'runner',
  'vars',
  'matrix',
  'strategy'
]

function toData(value: unknown): data.ExpressionData {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData
}

/** Evaluates one expression (without `${{ }}`) with GitHub's evaluator; `status` answers the status functions. */
function evaluate(
  expression: string,
  context: Record<string, unknown>,
  status: Status
): data.ExpressionData {
  const functions = new Map(
    STATUS_FUNCTIONS.map(name => [
      name,
      {
        name,
        minArgs: 0,
        maxArgs: 0,
        call: () => new data.BooleanData(status[name as keyof Status]())
      }
    ])
  )
  const tree = new Parser(new Lexer(expression).lex().tokens, CONTEXTS, [
    ...functions.values()
  ]).parse()
  return new Evaluator(tree, toData(context) as data.Dictionary, functions).evaluate()
}

interface Status {
  success(): boolean
  failure(): boolean
  cancelled(): boolean
  always(): boolean
}

/** A template token's value: a literal as written, an expression evaluated (`a ${{ x }}` is already `format(…)`). */
function tokenValue(
  token: TemplateToken,
  context: Record<string, unknown>,
  status: Status
): unknown {
  if (isBasicExpression(token)) {
    const value = evaluate(token.expression, context, status)
    return JSON.parse(JSON.stringify(value, data.replacer)) as unknown
  }
  if (isScalar(token)) return (token as unknown as { value: unknown }).value
  if (isSequence(token))
    return [...Array(token.count).keys()].map(i => tokenValue(token.get(i), context, status))
  if (isMapping(token))
    return Object.fromEntries(
      [...token].map(p => [p.key.toString(), tokenValue(p.value, context, status)])
    )
  return undefined
}

/** An input default as the converter leaves it: a plain value or a literal token. */
function literal(value: unknown): unknown {
  return value !== null && typeof value === 'object' && 'value' in value
    ? (value as { value: unknown }).value
    : value
}

function asString(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

function stringMap(
  token: TemplateToken | undefined,
  context: Record<string, unknown>,
  status: Status
): Record<string, string> {
  if (!token || !isMapping(token)) return {}
  return Object.fromEntries(
    [...token].map(p => [p.key.toString(), asString(tokenValue(p.value, context, status))])
  )
}

/** The raw `with:` of each step (the converter does not keep it), by job and step index. */
function stepWiths(root: TemplateToken): Map<string, TemplateToken | undefined> {
  const result = new Map<string, TemplateToken | undefined>()
  const jobs = isMapping(root) ? root.find('jobs') : undefined
  if (!jobs || !isMapping(jobs)) return result
  for (const job of jobs) {
    const steps = isMapping(job.value) ? job.value.find('steps') : undefined
    if (!steps || !isSequence(steps)) continue
    for (let i = 0; i < steps.count; i++) {
      const step = steps.get(i)
      result.set(`${job.key.toString()}/${i}`, isMapping(step) ? step.find('with') : undefined)
    }
  }
  return result
}

interface LoadedWorkflow {
  template: WorkflowTemplate
  withs: Map<string, TemplateToken | undefined>
  raw: { permissions?: unknown; jobs: Record<string, { permissions?: unknown }> }
}

/** Parses and converts a workflow with GitHub's parser; the runner's load-time rules refuse it before anything runs. */
export async function loadWorkflow(
  file: string,
  callerPermissions: unknown,
  ref: string
): Promise<LoadedWorkflow> {
  const content = readFileSync(file, 'utf8')
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter())
  const parseErrors = parsed.context.errors.getErrors().map(e => e.message)
  if (parseErrors.length > 0 || !parsed.value) throw new Error(`${file}: ${parseErrors.join('; ')}`)
  const template = await convertWorkflowTemplate(parsed.context, parsed.value)
  const errors = (template.errors ?? []).map(e => e.Message)
  for (const job of template.jobs)
    if (job.type === 'job')
      for (const step of job.steps)
        if ('uses' in step) {
          const problem = usesError(step.uses.value)
          if (problem) errors.push(`${job.id.value}: ${problem}`)
        }
  const raw = parse(content) as LoadedWorkflow['raw']
  errors.push(...permissionErrors(ref, callerMaximum(undefined, callerPermissions), raw))
  if (errors.length > 0) throw new Error(`GitHub refuses ${file}:\n${errors.join('\n')}`)
  return { template, withs: stepWiths(parsed.value), raw }
}

function inputValues(
  file: string,
  declared: Record<string, { type?: string; default?: unknown; required?: boolean }> | undefined,
  given: Record<string, unknown>
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {}
  for (const name of Object.keys(given))
    if (!declared || !(name in declared)) throw new Error(`${file} has no input ${name}`)
  for (const [name, spec] of Object.entries(declared ?? {})) {
    if (spec.required && given[name] === undefined)
      throw new Error(`${file}: input ${name} is required`)
    const value = given[name] ?? literal(spec.default)
    if (spec.type === 'boolean')
      inputs[name] = value === undefined ? false : value === true || value === 'true'
    else if (spec.type === 'number') inputs[name] = value === undefined ? 0 : Number(value)
    else inputs[name] = value === undefined ? '' : String(value)
  }
  return inputs
}

/** `run:` as GitHub runs it on Linux by default, in the workspace, with the step's environment. */
async function runShell(
  script: string,
  env: NodeJS.ProcessEnv,
  cwd: string
): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-run-'))
  const file = join(dir, 'step.sh')
  writeFileSync(file, script)
  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { env, cwd })
  let output = ''
  child.stdout.on('data', d => (output += d))
  child.stderr.on('data', d => (output += d))
  const code = await new Promise<number | null>(done => child.on('close', c => done(c)))
  rmSync(dir, { recursive: true, force: true })
  return { code, output }
}

/** The action.yml of a `$/<path>` folder: its inputs' defaults and bundles. */
function readActionFolder(path: string): {
  inputs: Record<string, { default?: unknown }>
  runs: { using: string; main: string; post?: string; 'post-if'?: string }
} {
  return parse(readFileSync(join(path, 'action.yml'), 'utf8')) as ReturnType<
    typeof readActionFolder
  >
}

/** Strips `${{ }}` from a condition written either way (`post-if`, action input defaults). */
function bareExpression(text: string): string {
  const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(text)
  return m ? m[1] : text
}

export async function runWorkflow(
  file: string,
  opts: WorkflowRunOptions
): Promise<Record<string, JobRun>> {
  const ref = opts.ref ?? `org/deploy-kit/${file}@v1`
  const workflow = await loadWorkflow(file, opts.callerPermissions, ref)
  const inputs = inputValues(file, workflow.template.events.workflow_call?.inputs, opts.inputs)
  const masker = new SecretMasker()
  for (const value of Object.values(opts.secrets)) masker.addSecret(value)
  const github = {
    token: 'ghs_workflowtoken',
    sha: opts.env.GITHUB_SHA ?? '',
    repository: opts.env.GITHUB_REPOSITORY ?? '',
    workspace: opts.workspace,
    event_name: 'workflow_call'
  }
  masker.addSecret(github.token)
  const jobs: Record<string, JobRun> = {}
  const ancestors = new Map<string, Set<string>>()
  const pending = [...workflow.template.jobs]
  while (pending.length > 0) {
    const index = pending.findIndex(j => (j.needs ?? []).every(n => n.value in jobs))
    if (index < 0)
      throw new Error(`${file}: jobs ${pending.map(j => j.id.value).join(', ')} wait on each other`)
    const [job] = pending.splice(index, 1)
    if (job.type !== 'job')
      throw new Error(
        `${file}: job ${job.id.value} calls another workflow, which the testbed cannot run`
      )
    const name = job.id.value
    const needs = (job.needs ?? []).map(n => n.value)
    const mine = new Set(needs.flatMap(n => [n, ...(ancestors.get(n) ?? [])]))
    ancestors.set(name, mine)
    const jobStatus: Status = {
      success: () => [...mine].every(n => jobs[n].result === 'success'),
      failure: () => [...mine].some(n => jobs[n].result === 'failure'),
      cancelled: () => false,
      always: () => true
    }
    const jobContext = {
      github,
      inputs,
      secrets: opts.secrets,
      needs: Object.fromEntries(
        needs.map(n => [n, { result: jobs[n].result, outputs: jobs[n].outputs }])
      )
    }
    if (!truthy(evaluate(job.if.expression, jobContext, jobStatus))) {
      jobs[name] = { result: 'skipped', outputs: {}, steps: [], warnings: [] }
      continue
    }
    const runsOn = runnerLabels(file, name, job, jobContext, jobStatus)
    const ran = await runJob(file, name, job, workflow, jobContext, masker, opts)
    const deployment = jobDeployment(file, name, job, jobContext, jobStatus, ran.result)
    jobs[name] = { ...ran, runsOn, ...(deployment ? { deployment } : {}) }
    await opts.afterJob?.(name, jobs[name])
  }
  return jobs
}

/**
 * The deployment GitHub records for a job that references an environment (its
 * documented behaviour): none without `environment`, or with `deployment: false`.
 */
function jobDeployment(
  file: string,
  name: string,
  job: Job,
  context: Record<string, unknown>,
  status: Status,
  result: Result
): JobDeployment | undefined {
  const token = (job as Job & { environment?: TemplateToken }).environment
  if (!token) return undefined
  const value = tokenValue(token, context, status)
  const env = typeof value === 'string' ? { name: value } : (value as Record<string, unknown>)
  if (typeof env?.name !== 'string' || env.name.trim() === '')
    throw new Error(`${file}: job ${name} has environment ${JSON.stringify(value)}, with no name`)
  if (env.deployment === false || env.deployment === 'false') return undefined
  return {
    environment: env.name,
    url: env.url === undefined ? '' : asString(env.url),
    statuses: ['in_progress', result === 'success' ? 'success' : 'failure']
  }
}

/**
 * The labels a job's `runs-on` asks for, evaluated as GitHub does before it
 * queues the job: a label or a list of labels; anything else fails the job.
 * Every job then runs here, whatever runner it names.
 */
function runnerLabels(
  file: string,
  name: string,
  job: Job,
  context: Record<string, unknown>,
  status: Status
): string[] {
  const token = job['runs-on']
  const value = token ? tokenValue(token, context, status) : undefined
  const labels = typeof value === 'string' ? [value] : value
  if (
    !Array.isArray(labels) ||
    labels.length === 0 ||
    labels.some(l => typeof l !== 'string' || l.trim() === '')
  )
    throw new Error(
      `${file}: job ${name} has runs-on ${JSON.stringify(value)}, which names no runner`
    )
  return labels as string[]
}

async function runJob(
  file: string,
  name: string,
  job: Job,
  workflow: LoadedWorkflow,
  jobContext: Record<string, unknown>,
  masker: SecretMasker,
  opts: WorkflowRunOptions
): Promise<JobRun> {
  const steps: Record<
    string,
    { outputs: Record<string, string>; outcome: Result; conclusion: Result }
  > = {}
  const runs: StepRun[] = []
  const posts: Array<() => Promise<void>> = []
  const addedEnv: Record<string, string> = {}
  let failed = false
  const status: Status = {
    success: () => !failed,
    failure: () => failed,
    cancelled: () => false,
    always: () => true
  }
  const context = () => ({ ...jobContext, steps, env: { ...jobEnv, ...addedEnv } })
  const jobEnv = {
    ...stringMap(workflow.template.env, jobContext, status),
    ...stringMap(job.env, jobContext, status)
  }
  const show = (run: ActionRun): ActionRun => ({
    ...run,
    output: processStepOutput(run.output, masker),
    summary: run.summary
      .split('\n')
      .map(line => masker.mask(line))
      .join('\n')
  })
  const baseEnv = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: opts.workspace,
    ...opts.env,
    ...jobEnv,
    ...addedEnv
  })
  for (const [i, step] of job.steps.entries()) {
    const uses = 'uses' in step ? step.uses.value : ''
    const runStep = step as Step & {
      if: { expression: string }
      env?: TemplateToken
      run?: TemplateToken
    }
    if (!truthy(evaluate(runStep.if.expression, context(), status))) {
      runs.push({ uses, result: 'skipped' })
      if (step.id) steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' }
      continue
    }
    const stepEnv = { ...baseEnv(), ...stringMap(runStep.env, context(), status) }
    let run: ActionRun
    if ('run' in step && runStep.run) {
      run = await runScript(
        asString(tokenValue(runStep.run, context(), status)),
        stepEnv,
        opts.workspace,
        addedEnv
      )
    } else {
      const withs = stringMap(workflow.withs.get(`${name}/${i}`), context(), status)
      const path = selfRepositoryPath(uses)
      if (path) {
        const action = readActionFolder(path)
        if (!/^node\d+$/.test(action.runs.using))
          throw new Error(
            `${file}: ${uses} is a ${action.runs.using} action, which the testbed cannot run`
          )
        const actionContext = { github: jobContext.github }
        for (const [input, spec] of Object.entries(action.inputs ?? {}))
          if (!(input in withs) && spec.default !== undefined)
            withs[input] = asString(
              typeof spec.default === 'string' && spec.default.includes('${{')
                ? tokenValueOf(spec.default, actionContext)
                : spec.default
            )
        const main = await runBundle(join(path, action.runs.main), withs, {
          env: stepEnv,
          cwd: opts.workspace
        })
        run = main
        if (action.runs.post) {
          const post = action.runs.post
          const postIf = bareExpression(action.runs['post-if'] ?? 'always()')
          posts.unshift(async () => {
            if (!truthy(evaluate(postIf, context(), status))) return
            const r = await runBundle(join(path, post), withs, {
              env: baseEnv(),
              cwd: opts.workspace,
              state: main.state
            })
            const shown = show(r)
            runs.push({
              uses: `post ${uses}`,
              result: r.code === 0 ? 'success' : 'failure',
              run: shown
            })
            if (r.code !== 0) failed = true
          })
        }
      } else if (STAND_INS.some(prefix => uses.startsWith(prefix)) && opts.external) {
        await opts.external(uses, withs)
        run = { code: 0, output: '', outputs: {}, summary: '' }
      } else {
        throw new Error(`${file}: job ${name} uses ${uses}, which the testbed cannot run`)
      }
    }
    const shown = show(run)
    const outcome: Result = run.code === 0 ? 'success' : 'failure'
    // `continue-on-error`: the step's outcome stays failure, its conclusion (and the job) success.
    const tolerated = step['continue-on-error']
    const continues =
      typeof tolerated === 'object'
        ? truthy(toData(tokenValue(tolerated, context(), status)))
        : tolerated === true
    const conclusion: Result = outcome === 'failure' && continues ? 'success' : outcome
    if (step.id) steps[step.id] = { outputs: run.outputs, outcome, conclusion }
    runs.push({ uses, result: outcome, run: shown })
    if (conclusion === 'failure') failed = true
  }
  for (const post of posts) await post()
  const evaluated = stringMap(job.outputs, context(), status)
  const { outputs, warnings } = keepOutputsWithoutSecrets(evaluated, masker)
  return { result: failed ? 'failure' : 'success', outputs, steps: runs, warnings }
}

function tokenValueOf(text: string, context: Record<string, unknown>): unknown {
  const always: Status = {
    success: () => true,
    failure: () => false,
    cancelled: () => false,
    always: () => true
  }
  return JSON.parse(
    JSON.stringify(evaluate(bareExpression(text), context, always), data.replacer)
  ) as unknown
}

async function runScript(
  script: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  addedEnv: Record<string, string>
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-step-'))
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary')
  }
  for (const f of Object.values(files)) writeFileSync(f, '')
  const { code, output } = await runShell(script, { ...env, ...files }, cwd)
  Object.assign(addedEnv, parseOutputs(readFileSync(files.GITHUB_ENV, 'utf8')))
  const run = {
    code,
    output,
    outputs: parseOutputs(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8')
  }
  rmSync(dir, { recursive: true, force: true })
  return run
}
