// Script injection in workflows: GitHub substitutes `${{ }}` into a `run:`
// script before the shell reads it, and into an action's input before the
// action runs it, so a value someone else controls (a dispatch input, an
// issue title, a branch name) that lands in a script or in a command input
// runs as code. GitHub's hardening guide: pass it through `env:` instead,
// where the shell sees it as data. Every workflow is read with GitHub's own
// parser (@actions/workflow-parser) and each expression with its expression
// parser (@actions/expressions), so `github['event']` or an expression inside
// format() is found as surely as `github.event.x`.
import { Lexer, Parser } from '@actions/expressions'
import type { Expr } from '@actions/expressions/ast'
import {
  Binary,
  ContextAccess,
  FunctionCall,
  Grouping,
  IndexAccess,
  Literal,
  Logical,
  Unary
} from '@actions/expressions/ast'
import {
  isBasicExpression,
  isMapping,
  isSequence,
  NoOperationTraceWriter,
  parseWorkflow
} from '@actions/workflow-parser'
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token'
import { parse } from 'yaml'
import { CONTEXTS, STATUS_FUNCTIONS } from './workflow-runner.js'

/**
 * Inputs that run as shell commands, in deploy-kit's actions and reusable
 * workflows (`pre-deploy`, `migrate-command`, …) and in actions such as
 * appleboy/ssh-action (`script`). `compose-command` only picks the Compose CLI.
 */
export function isCommandInput(name: string): boolean {
  return (
    name !== 'compose-command' &&
    (/(^|-)(command|script|commands)$/.test(name) || /^(pre|post)-deploy$/.test(name))
  )
}

const FUNCTIONS = [
  ...STATUS_FUNCTIONS.map(name => ({ name, minArgs: 0, maxArgs: 0 })),
  { name: 'hashFiles', minArgs: 1, maxArgs: 255 }
]

/** A property path an expression reads, e.g. `github.event.issue.title`; `*` where the index is computed. */
type Path = string[]

function literalName(e: Expr): string | undefined {
  return e instanceof Literal ? e.literal.coerceString() : undefined
}

/** The path of a plain access chain (`github.event.issue.title`, `inputs['x']`), else undefined. */
function accessPath(e: Expr): Path | undefined {
  if (e instanceof ContextAccess) return [e.name.lexeme]
  if (e instanceof IndexAccess) {
    const base = accessPath(e.expr)
    return base && [...base, literalName(e.index) ?? '*']
  }
  return undefined
}

/** What the computed indexes of an access chain read (`github[inputs.field]`). */
function indexReads(e: Expr): Path[] {
  if (!(e instanceof IndexAccess)) return []
  return [...indexReads(e.expr), ...(literalName(e.index) === undefined ? readPaths(e.index) : [])]
}

/** Every context path `e` reads. */
function readPaths(e: Expr): Path[] {
  const path = accessPath(e)
  if (path) return [path, ...indexReads(e)]
  if (e instanceof IndexAccess) return [...readPaths(e.expr), ...readPaths(e.index)]
  if (e instanceof FunctionCall || e instanceof Logical) return e.args.flatMap(readPaths)
  if (e instanceof Binary) return [...readPaths(e.left), ...readPaths(e.right)]
  if (e instanceof Unary) return readPaths(e.expr)
  if (e instanceof Grouping) return readPaths(e.group)
  return []
}

/**
 * Why a path holds a value that must not reach a script, or undefined.
 * `inputs` are typed by whoever starts a dispatch, or forwarded from one by
 * a caller; `github.event` and `github.head_ref` are written by whoever opens
 * the issue, pull request or branch; a secret in a script is written with it
 * to the script file on the runner.
 */
export function untrustedBecause(path: Path): string | undefined {
  const [context, field] = path.map(p => p.toLowerCase())
  if (context === 'inputs') return 'an input, typed by whoever starts the run or by its caller'
  if (context === 'github' && (field === 'event' || field === 'head_ref' || field === '*'))
    return 'set by whoever opened the event (its title, body, branch name)'
  if (context === 'secrets') return 'a secret, which a script or command would carry in its text'
  return undefined
}

export interface Interpolation {
  /** `job build step 2 run`, `job deploy with.pre-deploy`. */
  where: string
  /** The expression as written inside `${{ }}` (a string with several is one format()). */
  expression: string
  path: string
  why: string
}

function untrustedIn(expression: string): Array<{ path: string; why: string }> {
  let tree: Expr
  try {
    tree = new Parser(new Lexer(expression).lex().tokens, CONTEXTS, FUNCTIONS).parse()
  } catch (err) {
    return [{ path: '?', why: `GitHub's parser refuses it: ${(err as Error).message}` }]
  }
  return readPaths(tree).flatMap(path => {
    const why = untrustedBecause(path)
    return why ? [{ path: path.join('.'), why }] : []
  })
}

function find(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  return token && isMapping(token) ? token.find(key) : undefined
}

function triggers(content: string): string[] {
  const on = (parse(content) as { on?: unknown; true?: unknown }).on
  if (typeof on === 'string') return [on]
  if (Array.isArray(on)) return on.map(String)
  return on && typeof on === 'object' ? Object.keys(on) : []
}

/**
 * Every `run:` script and every command input (`with:` of a step or of a
 * job calling a reusable workflow) of a workflow that interpolates an
 * untrusted value. A reusable workflow (only `on: workflow_call`) may hand a
 * command input of its own on whole (`pre-deploy: ${{ inputs.pre-deploy }}`):
 * that command is the caller's, and the caller's file is held to this rule.
 */
export function untrustedInterpolations(name: string, content: string): Interpolation[] {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter())
  const errors = parsed.context.errors.getErrors().map(e => e.message)
  if (errors.length > 0 || !parsed.value) throw new Error(`${name}: ${errors.join('; ')}`)
  const reusableOnly = triggers(content).every(t => t === 'workflow_call')
  const found: Interpolation[] = []
  const check = (where: string, token: TemplateToken | undefined, forwarding: boolean) => {
    if (!token || !isBasicExpression(token)) return
    const expression = token.expression
    if (forwarding && /^inputs\.[\w-]+$/.test(expression.trim())) return
    const paths = new Set<string>()
    for (const hit of untrustedIn(expression)) {
      if (paths.has(hit.path)) continue
      paths.add(hit.path)
      found.push({ where, expression, ...hit })
    }
  }
  const withs = (where: string, token: TemplateToken | undefined) => {
    if (!token || !isMapping(token)) return
    for (const pair of token) {
      const input = pair.key.toString()
      if (isCommandInput(input)) check(`${where} with.${input}`, pair.value, reusableOnly)
    }
  }
  const jobs = find(parsed.value, 'jobs')
  if (!jobs || !isMapping(jobs)) return found
  for (const job of jobs) {
    const jobName = `job ${job.key.toString()}`
    withs(jobName, find(job.value, 'with'))
    const steps = find(job.value, 'steps')
    if (!steps || !isSequence(steps)) continue
    for (let i = 0; i < steps.count; i++) {
      const step = steps.get(i)
      check(`${jobName} step ${i + 1} run`, find(step, 'run'), false)
      withs(`${jobName} step ${i + 1}`, find(step, 'with'))
    }
  }
  return found
}
