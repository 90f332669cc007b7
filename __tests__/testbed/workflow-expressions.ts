/**
 * The subset of GitHub's `${{ }}` expression language the repo's workflows
 * use: literals, property paths (inputs.x, secrets.x, github.token,
 * steps.id.outputs.x, needs.job.outputs.x), ! == != && || and parentheses,
 * and the status functions. Anything else is an error, not a guess.
 */
export type Value = string | number | boolean | null | undefined | Record<string, unknown>

export interface ExpressionContext {
  data: Record<string, unknown>
  /** true once an earlier job (for jobs) or step (for steps) failed. */
  failed: boolean
}

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?)|'((?:[^']|'')*)'|(==|!=|&&|\|\||!|\(|\)|,)|([A-Za-z_][A-Za-z0-9_.-]*))/y

function tokenize(text: string): string[] {
  const tokens: string[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break
    const start = TOKEN.lastIndex
    const m = TOKEN.exec(text)
    if (!m) throw new Error(`cannot read expression at ${JSON.stringify(text.slice(start))}`)
    if (m[1] !== undefined) tokens.push(`#${m[1]}`)
    else if (m[2] !== undefined) tokens.push(`'${m[2].replace(/''/g, "'")}`)
    else tokens.push(m[3] ?? m[4])
  }
  return tokens
}

function truthy(v: Value): boolean {
  return !(v === '' || v === 0 || v === false || v === null || v === undefined)
}

function loose(v: Value): Value {
  return typeof v === 'string' && /^(true|false)$/.test(v) ? v === 'true' : v
}

export function evaluate(text: string, ctx: ExpressionContext): Value {
  const tokens = tokenize(text)
  let i = 0
  const peek = () => tokens[i]
  const take = (want?: string) => {
    const t = tokens[i++]
    if (want !== undefined && t !== want)
      throw new Error(`expected ${want} in ${JSON.stringify(text)}`)
    return t
  }
  const primary = (): Value => {
    const t = take()
    if (t === '(') {
      const v = or()
      take(')')
      return v
    }
    if (t === '!') return !truthy(primary())
    if (t.startsWith('#')) return Number(t.slice(1))
    if (t.startsWith("'")) return t.slice(1)
    if (t === 'true' || t === 'false') return t === 'true'
    if (peek() === '(') {
      take('(')
      take(')')
      if (t === 'failure') return ctx.failed
      if (t === 'success') return !ctx.failed
      if (t === 'cancelled') return false
      if (t === 'always') return true
      throw new Error(`unknown function ${t}()`)
    }
    let value: unknown = ctx.data
    for (const part of t.split('.')) value = (value as Record<string, unknown> | undefined)?.[part]
    return value as Value
  }
  const compare = (): Value => {
    let left = primary()
    while (peek() === '==' || peek() === '!=') {
      const op = take()
      const right = primary()
      const same = String(loose(left) ?? '') === String(loose(right) ?? '')
      left = op === '==' ? same : !same
    }
    return left
  }
  const and = (): Value => {
    let left = compare()
    while (peek() === '&&') {
      take()
      const right = compare()
      left = truthy(left) ? right : left
    }
    return left
  }
  const or = (): Value => {
    let left = and()
    while (peek() === '||') {
      take()
      const right = and()
      left = truthy(left) ? left : right
    }
    return left
  }
  const value = or()
  if (i !== tokens.length) throw new Error(`unexpected ${tokens[i]} in ${JSON.stringify(text)}`)
  return value
}

/** A `with:` value: `${{ }}` parts replaced by their values, as the runner does. */
export function interpolate(template: unknown, ctx: ExpressionContext): string {
  if (typeof template !== 'string')
    return template === undefined || template === null ? '' : String(template)
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const v = evaluate(expr, ctx)
    return v === undefined || v === null
      ? ''
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v)
  })
}

/** An `if:` condition: a bare expression or one wrapped in `${{ }}`; jobs and steps without one need success(). */
export function condition(text: unknown, ctx: ExpressionContext): boolean {
  if (text === undefined) return !ctx.failed
  if (typeof text === 'boolean') return text
  const inner = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(String(text))
  const expr = inner ? inner[1] : String(text)
  const usesStatus = /\b(failure|success|cancelled|always)\(\)/.test(expr)
  return (usesStatus || !ctx.failed) && truthy(evaluate(expr, ctx))
}
