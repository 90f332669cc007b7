/**
 * docker/metadata-action's `tags` rules and `flavor`, read from its source
 * (src/tag.ts, src/flavor.ts, src/meta.ts): the same lines give the same
 * tags, version and `latest` for the same event.
 */
import { dateHelper, isRawStatement, renderTemplate, TemplateValue } from './templates.js'
import { parsePep440, parseSemver } from './versions.js'

/** What the workflow run says about its event; metadata-action's `Context`. */
export interface MetaContext {
  eventName: string
  ref: string
  sha: string
  /** The repository's default branch, from the event payload. */
  defaultBranch: string
  /** The push payload's `base_ref` (a tag pushed from a branch). */
  baseRef: string
  /** The pull request's base branch. */
  prBaseRef: string
  commitDate?: Date
  /** "Now" for `{{date}}` and the created label: one instant for the whole run. */
  now: Date
}

export const RULE_TYPES = [
  'schedule',
  'semver',
  'pep440',
  'match',
  'edge',
  'ref',
  'raw',
  'sha'
] as const
export type RuleType = (typeof RULE_TYPES)[number]

export interface TagRule {
  type: RuleType
  attrs: Record<string, string>
}

const DEFAULT_PRIORITY: Record<RuleType, string> = {
  schedule: '1000',
  semver: '900',
  pep440: '900',
  match: '800',
  edge: '700',
  ref: '600',
  raw: '200',
  sha: '100'
}

/** metadata-action's rules when `tags` is empty. */
export const DEFAULT_RULES = [
  'type=schedule',
  'type=ref,event=branch',
  'type=ref,event=tag',
  'type=ref,event=pr'
]

/** One CSV record, as csv-parse reads it: commas split fields, double quotes group them. */
export function csvFields(line: string): string[] {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"' && field.trim() === '') {
      quoted = true
      field = ''
    } else if (c === ',') {
      fields.push(field)
      field = ''
    } else field += c
  }
  if (quoted) throw new Error(`unclosed quote in ${JSON.stringify(line)}`)
  fields.push(field)
  return fields
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k)

/** One `tags` line as a rule; a line without `type=` is `type=raw`. */
export function parseTagRule(line: string): TagRule {
  let type: RuleType | undefined
  const attrs: Record<string, string> = {}
  for (const field of csvFields(line)) {
    if (field.trim() === '') continue
    const at = field.indexOf('=')
    if (at <= 0) {
      attrs.value = field.trim()
      continue
    }
    const key = field.slice(0, at).trim().toLowerCase()
    const value = field.slice(at + 1).trim()
    if (key === 'type') {
      if (!(RULE_TYPES as readonly string[]).includes(value)) {
        throw new Error(`unknown tag type ${JSON.stringify(value)} in ${JSON.stringify(line)}`)
      }
      type = value as RuleType
    } else attrs[key] = value
  }
  type ??= 'raw'
  const need = (key: string) => {
    if (!has(attrs, key)) throw new Error(`${JSON.stringify(line)} has no ${key} attribute`)
  }
  const fallback = (key: string, value: string) => {
    if (!has(attrs, key)) attrs[key] = value
  }
  switch (type) {
    case 'schedule':
      fallback('pattern', 'nightly')
      break
    case 'semver':
    case 'pep440':
      need('pattern')
      fallback('value', '')
      fallback('match', '')
      break
    case 'match':
      need('pattern')
      fallback('group', '0')
      if (isNaN(+attrs.group)) throw new Error(`invalid match group in ${JSON.stringify(line)}`)
      fallback('value', '')
      break
    case 'edge':
      fallback('branch', '')
      break
    case 'ref':
      need('event')
      if (!['branch', 'tag', 'pr'].includes(attrs.event)) {
        throw new Error(`event must be branch, tag or pr in ${JSON.stringify(line)}`)
      }
      if (attrs.event === 'pr') fallback('prefix', 'pr-')
      break
    case 'raw':
      need('value')
      break
    case 'sha':
      fallback('prefix', 'sha-')
      fallback('format', 'short')
      if (!['short', 'long'].includes(attrs.format)) {
        throw new Error(`format must be short or long in ${JSON.stringify(line)}`)
      }
      break
  }
  fallback('enable', 'true')
  fallback('priority', DEFAULT_PRIORITY[type])
  if (isNaN(Number(attrs.priority))) {
    throw new Error(`priority must be a number in ${JSON.stringify(line)}`)
  }
  return { type, attrs }
}

/** The rules, highest priority first (ties keep their order); metadata-action's defaults for none. */
export function parseTagRules(lines: readonly string[]): TagRule[] {
  const rules = (lines.length > 0 ? lines : DEFAULT_RULES).map(parseTagRule)
  return rules.sort((a, b) => Number(b.attrs.priority) - Number(a.attrs.priority))
}

export interface Flavor {
  latest: 'auto' | 'true' | 'false'
  prefix: string
  prefixLatest: boolean
  suffix: string
  suffixLatest: boolean
}

export function parseFlavor(lines: readonly string[]): Flavor {
  const flavor: Flavor = {
    latest: 'auto',
    prefix: '',
    prefixLatest: false,
    suffix: '',
    suffixLatest: false
  }
  for (const line of lines) {
    let onlatestFor = ''
    for (const field of csvFields(line)) {
      if (field.trim() === '') continue
      const parts = field.split('=').map(p => p.trim())
      if (parts.length === 1) throw new Error(`${JSON.stringify(line)} is not key=value`)
      const key = parts[0].toLowerCase()
      const value = parts[1]
      switch (key) {
        case 'latest':
          if (value !== 'auto' && value !== 'true' && value !== 'false') {
            throw new Error(`latest must be auto, true or false in ${JSON.stringify(line)}`)
          }
          flavor.latest = value
          break
        case 'prefix':
          flavor.prefix = value
          onlatestFor = 'prefix'
          break
        case 'suffix':
          flavor.suffix = value
          onlatestFor = 'suffix'
          break
        case 'onlatest':
          if (value !== 'true' && value !== 'false') {
            throw new Error(`onlatest must be true or false in ${JSON.stringify(line)}`)
          }
          if (onlatestFor === 'prefix') flavor.prefixLatest = value === 'true'
          if (onlatestFor === 'suffix') flavor.suffixLatest = value === 'true'
          break
        default:
          throw new Error(`unknown flavor ${JSON.stringify(key)} in ${JSON.stringify(line)}`)
      }
    }
  }
  return flavor
}

export interface MetaVersion {
  /** The highest-priority tag the rules gave, or undefined when none applied. */
  main?: string
  partial: string[]
  latest: boolean
}

/** Docker's tag characters; anything else becomes `-` (metadata-action's sanitizeTag). */
export function sanitizeMetaTag(tag: string): string {
  return tag.replace(/[^a-zA-Z0-9._-]+/g, '-')
}

export function shortSha(sha: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.DOCKER_METADATA_SHORT_SHA_LENGTH
  let length = 7
  if (configured) {
    if (isNaN(Number(configured))) {
      throw new Error(`DOCKER_METADATA_SHORT_SHA_LENGTH is not a number: ${configured}`)
    }
    length = Number(configured)
  }
  return length >= sha.length ? sha : sha.slice(0, length)
}

const TAG_REF = /^refs\/tags\//
const BRANCH_REF = /^refs\/heads\//
const PULL_REF = /^refs\/pull\//

/** `{{branch}}`, `{{tag}}`, `{{sha}}`, `{{base_ref}}`, `{{is_default_branch}}`, `{{date …}}`… */
export function globalValues(ctx: MetaContext): Record<string, TemplateValue> {
  const isDefaultBranch = () => {
    const branch = ctx.ref.replace(BRANCH_REF, '')
    if (!branch) return 'false'
    if (ctx.defaultBranch === branch) return 'true'
    // These events always run on the default branch's last commit.
    return /create|discussion|issues|schedule/.test(ctx.eventName) ? 'true' : 'false'
  }
  return {
    branch: () => (BRANCH_REF.test(ctx.ref) ? ctx.ref.replace(BRANCH_REF, '') : ''),
    tag: () => (TAG_REF.test(ctx.ref) ? ctx.ref.replace(TAG_REF, '') : ''),
    sha: () => shortSha(ctx.sha),
    base_ref: () => {
      if (TAG_REF.test(ctx.ref) && ctx.baseRef) return ctx.baseRef.replace(BRANCH_REF, '')
      if (PULL_REF.test(ctx.ref) && ctx.prBaseRef) return ctx.prBaseRef
      return ''
    },
    is_default_branch: isDefaultBranch,
    is_not_default_branch: () => (isDefaultBranch() === 'false' ? 'true' : 'false'),
    date: dateHelper(ctx.now, 'date'),
    commit_date: dateHelper(ctx.commitDate, 'commit_date')
  }
}

export function expandGlobals(text: string, ctx: MetaContext): string {
  return renderTemplate(text, globalValues(ctx))
}

/**
 * Runs the rules in priority order, as metadata-action's getVersion does:
 * the first tag a rule gives is the version, the others follow, and the
 * first rule that gives a tag decides `latest` (with `latest=auto`: a
 * semver or pep440 release, a match or a git tag).
 */
export function evaluateRules(
  rules: readonly TagRule[],
  flavor: Flavor,
  ctx: MetaContext,
  warn: (message: string) => void = () => undefined
): MetaVersion {
  const version: { main?: string; partial: string[]; latest?: boolean } = { partial: [] }
  const globals = (text: string) => expandGlobals(text, ctx)
  const latestFor = (auto: boolean) => (flavor.latest === 'auto' ? auto : flavor.latest === 'true')
  const withAffixes = (value: string, attrs: Record<string, string>) => {
    let v = value
    if (has(attrs, 'prefix')) v = `${globals(attrs.prefix)}${v}`
    else if (flavor.prefix) v = `${globals(flavor.prefix)}${v}`
    if (has(attrs, 'suffix')) v = `${v}${globals(attrs.suffix)}`
    else if (flavor.suffix) v = `${v}${globals(flavor.suffix)}`
    return v
  }
  const add = (value: string, latest: boolean) => {
    if (value.length === 0) return
    const tag = sanitizeMetaTag(value)
    if (version.main === undefined) version.main = tag
    else if (tag !== version.main) version.partial.push(tag)
    version.latest ??= latest
  }
  /** The tag name (or `value`), through `match` when given; undefined when the rule does not apply. */
  const versionText = (attrs: Record<string, string>, matchKey: 'match' | undefined) => {
    if (!TAG_REF.test(ctx.ref) && attrs.value.length === 0) return undefined
    let raw = attrs.value.length > 0 ? globals(attrs.value) : ctx.ref.replace(TAG_REF, '')
    if (matchKey && attrs.match.length > 0) {
      const m = raw.match(attrs.match)
      if (!m) warn(`${attrs.match} does not match ${raw}`)
      else raw = m[1]
    }
    return raw.replace(/\//g, '-')
  }

  for (const rule of rules) {
    const { attrs } = rule
    const enabled = globals(attrs.enable)
    if (enabled !== 'true' && enabled !== 'false') {
      throw new Error(`enable must be true or false, not ${JSON.stringify(enabled)}`)
    }
    if (enabled === 'false') continue
    switch (rule.type) {
      case 'schedule': {
        if (!/schedule/.test(ctx.eventName)) break
        const value = renderTemplate(attrs.pattern, {
          date: dateHelper(ctx.now, 'date'),
          commit_date: dateHelper(ctx.commitDate, 'commit_date')
        })
        add(withAffixes(value, attrs), latestFor(false))
        break
      }
      case 'semver': {
        const raw = versionText(attrs, 'match')
        if (raw === undefined) break
        const sv = parseSemver(raw)
        if (!sv) {
          warn(`${raw} is not a valid semver. More info: https://semver.org/`)
          break
        }
        const values = { ...sv, prerelease: sv.prerelease, build: sv.build }
        if (sv.prerelease) {
          const pattern = isRawStatement(attrs.pattern) ? attrs.pattern : '{{version}}'
          add(withAffixes(renderTemplate(pattern, values), attrs), latestFor(false))
        } else {
          add(withAffixes(renderTemplate(attrs.pattern, values), attrs), latestFor(true))
        }
        break
      }
      case 'pep440': {
        const raw = versionText(attrs, 'match')
        if (raw === undefined) break
        const pv = parsePep440(raw)
        if (!pv) {
          warn(
            `${raw} does not conform to PEP 440. More info: https://www.python.org/dev/peps/pep-0440`
          )
          break
        }
        if (pv.isPrerelease || pv.isPostrelease || pv.isDevrelease) {
          const value = isRawStatement(attrs.pattern) ? raw : pv.clean
          add(withAffixes(value, attrs), latestFor(false))
        } else {
          const value = renderTemplate(attrs.pattern, {
            raw,
            version: pv.clean,
            major: pv.release[0],
            minor: pv.release[1] ?? 0,
            patch: pv.release[2] ?? 0
          })
          add(withAffixes(value, attrs), latestFor(true))
        }
        break
      }
      case 'match': {
        const raw = versionText(attrs, undefined)
        if (raw === undefined) break
        // versionText turned `/` into `-`; metadata-action matches the name as it is.
        const subject = attrs.value.length > 0 ? globals(attrs.value) : ctx.ref.replace(TAG_REF, '')
        const regex = /^\/(.+)\/(.*)$/.exec(attrs.pattern)
        const m = regex
          ? subject.match(new RegExp(regex[1], regex[2]))
          : subject.match(attrs.pattern)
        if (!m) {
          warn(`${attrs.pattern} does not match ${subject}`)
          break
        }
        const group = m[Number(attrs.group)]
        if (group === undefined) {
          warn(`Group ${attrs.group} does not exist for ${attrs.pattern} pattern`)
          break
        }
        add(withAffixes(group, attrs), latestFor(true))
        break
      }
      case 'ref': {
        if (attrs.event === 'branch' && BRANCH_REF.test(ctx.ref)) {
          add(withAffixes(ctx.ref.replace(BRANCH_REF, ''), attrs), latestFor(false))
        } else if (attrs.event === 'tag' && TAG_REF.test(ctx.ref)) {
          add(withAffixes(ctx.ref.replace(TAG_REF, ''), attrs), latestFor(true))
        } else if (attrs.event === 'pr' && PULL_REF.test(ctx.ref)) {
          const pr = ctx.ref.replace(PULL_REF, '').replace(/\/merge$/, '')
          add(withAffixes(pr, attrs), latestFor(false))
        }
        break
      }
      case 'edge': {
        if (!BRANCH_REF.test(ctx.ref)) break
        const branch = attrs.branch || ctx.defaultBranch
        if (branch !== ctx.ref.replace(BRANCH_REF, '')) break
        add(withAffixes('edge', attrs), latestFor(false))
        break
      }
      case 'raw':
        add(withAffixes(globals(attrs.value), attrs), latestFor(false))
        break
      case 'sha': {
        if (!ctx.sha) break
        const sha = attrs.format === 'short' ? shortSha(ctx.sha) : ctx.sha
        add(withAffixes(sha, attrs), latestFor(false))
        break
      }
    }
  }
  return {
    main: version.main,
    partial: version.partial.filter((t, i, all) => all.indexOf(t) === i),
    latest: version.latest ?? false
  }
}

/** The version, its partials, then `latest` (with the flavor's prefix/suffix when onlatest=true). */
export function metaTags(version: MetaVersion, flavor: Flavor): string[] {
  if (!version.main) return []
  const tags = [version.main, ...version.partial]
  if (version.latest) {
    const latest = `${flavor.prefixLatest ? flavor.prefix : ''}latest${flavor.suffixLatest ? flavor.suffix : ''}`
    tags.push(sanitizeMetaTag(latest))
  }
  return tags
}

/** True when `tags` is written in metadata-action's rule syntax rather than as plain tags. */
export function isRuleSyntax(lines: readonly string[]): boolean {
  return lines.some(line => /^\s*"?type\s*=/i.test(line))
}
