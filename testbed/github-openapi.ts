// GitHub's published description of its REST API (@octokit/openapi,
// api.github.com.json), read once, so the testbed's stand-in for the API
// refuses what the real one refuses and answers in the shapes it documents.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

type Schema = {
  $ref?: string
  type?: string | string[]
  enum?: unknown[]
  required?: string[]
  properties?: Record<string, Schema>
  items?: Schema
  allOf?: Schema[]
  anyOf?: Schema[]
  oneOf?: Schema[]
  nullable?: boolean
}
type Parameter = { $ref?: string; name: string; in: string; required?: boolean }
type Operation = {
  operationId: string
  parameters?: Parameter[]
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> }
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>
}
type Description = {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, Schema>; parameters: Record<string, Parameter> }
}

let loaded: {
  spec: Description
  routes: Array<{ template: string; pattern: RegExp; literals: number }>
}

function description(): typeof loaded {
  if (loaded) return loaded
  const file = createRequire(import.meta.url).resolve(
    '@octokit/openapi/generated/api.github.com.json'
  )
  const spec = JSON.parse(readFileSync(file, 'utf8')) as Description
  const routes = Object.keys(spec.paths).map(template => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    literals: template.split('/').filter(s => s && !s.startsWith('{')).length
  }))
  loaded = { spec, routes }
  return loaded
}

function resolve<T extends { $ref?: string }>(node: T): T {
  if (!node.$ref) return node
  const [, , kind, name] = node.$ref.split('/')
  const target = (description().spec.components as unknown as Record<string, Record<string, T>>)[
    kind
  ][name]
  return resolve(target)
}

export interface ApiOperation {
  template: string
  method: string
  operation: Operation
}

/** The documented operation for a request, or the reason the API would not know it. */
export function findOperation(method: string, url: string): ApiOperation | string {
  const path = new URL(url, 'http://api').pathname
  const matches = description()
    .routes.filter(r => r.pattern.test(path))
    .sort((a, b) => b.literals - a.literals)
  if (matches.length === 0) return `${method} ${path}: no such path in GitHub's REST API`
  const lower = method.toLowerCase()
  const match = matches.find(m => description().spec.paths[m.template][lower])
  if (!match) return `${method} ${path}: ${matches[0].template} has no ${method}`
  return {
    template: match.template,
    method: lower,
    operation: description().spec.paths[match.template][lower]
  }
}

function typeProblem(name: string, schema: Schema, value: unknown): string | undefined {
  const s = resolve(schema)
  if (value === null) return s.nullable ? undefined : `${name} must not be null`
  const alternatives = s.anyOf ?? s.oneOf
  if (alternatives)
    return alternatives.some(a => !typeProblem(name, a, value))
      ? undefined
      : `${name} has the wrong type`
  if (s.enum && !s.enum.includes(value))
    return `${name} must be one of ${s.enum.join(', ')}, got ${String(value)}`
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]
  if (types.length === 0) return undefined
  const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value
  const ok = types.some(
    t =>
      t === actual || (t === 'number' && actual === 'integer') || (t === 'null' && value === null)
  )
  return ok ? undefined : `${name} must be ${types.join(' or ')}, got ${actual}`
}

/** What the real API would refuse in this request (422 or 404): unknown path or method, missing or bad body fields, unknown query parameters. */
export function requestProblems(
  method: string,
  url: string,
  body: Record<string, unknown>
): string[] {
  const found = findOperation(method, url)
  if (typeof found === 'string') return [found]
  const { operation } = found
  const problems: string[] = []
  const parameters = (operation.parameters ?? []).map(p => resolve(p))
  for (const name of new URL(url, 'http://api').searchParams.keys())
    if (!parameters.some(p => p.in === 'query' && p.name === name))
      problems.push(`${operation.operationId}: no query parameter ${name}`)
  const schema = operation.requestBody?.content['application/json']?.schema
  if (schema) {
    const s = resolve(schema)
    for (const name of s.required ?? [])
      if (body[name] === undefined)
        problems.push(`${operation.operationId}: body field ${name} is required`)
    for (const [name, value] of Object.entries(body)) {
      const property = s.properties?.[name]
      if (!property) continue
      const problem = typeProblem(name, property, value)
      if (problem) problems.push(`${operation.operationId}: ${problem}`)
    }
  }
  return problems
}

function placeholder(schema: Schema): unknown {
  const s = resolve(schema)
  if (s.nullable) return null
  if (s.allOf || s.anyOf || s.oneOf) return placeholder((s.allOf ?? s.anyOf ?? s.oneOf)![0])
  if (s.enum) return s.enum[0]
  const type = Array.isArray(s.type) ? s.type[0] : s.type
  if (type === 'null') return null
  if (type === 'integer' || type === 'number') return 0
  if (type === 'boolean') return false
  if (type === 'array') return []
  if (type === 'object' || s.properties) return conform(s, {})
  return ''
}

/** `value` with every field the schema requires, filled in where the stand-in has nothing to say. */
export function conform(schema: Schema, value: unknown): unknown {
  const s = resolve(schema)
  if (s.allOf) return s.allOf.reduce((v, part) => conform(part, v), value)
  if ((s.anyOf ?? s.oneOf) && value !== null && typeof value === 'object')
    return conform((s.anyOf ?? s.oneOf)![0], value)
  if (Array.isArray(value)) return s.items ? value.map(v => conform(s.items!, v)) : value
  if (value === null || typeof value !== 'object') return value
  const result: Record<string, unknown> = { ...(value as Record<string, unknown>) }
  for (const name of s.required ?? [])
    if (result[name] === undefined && s.properties?.[name])
      result[name] = placeholder(s.properties[name])
  for (const [name, v] of Object.entries(result))
    if (s.properties?.[name] && v !== null && typeof v === 'object')
      result[name] = conform(s.properties[name], v)
  return result
}

/** The documented response schema of an operation for a status, if any. */
export function responseSchema(found: ApiOperation, status: number): Schema | undefined {
  return found.operation.responses[String(status)]?.content?.['application/json']?.schema
}
