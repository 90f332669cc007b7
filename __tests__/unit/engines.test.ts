// package.json's `engines.node` admits only Node versions every installed package accepts (the
// `engines` package-lock.json records for each), admits the `node24` runtime the actions run on,
// and is the range CONTRIBUTING.md states.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { ACTION_DIRS, readAction } from '../../scripts/action-docs.mjs'

type Version = [number, number, number]
/** A partial version as a range writes it: `22`, `22.13`, `10.*`, `x`; undefined parts are wild. */
type Partial = [number?, number?, number?]

function partial(text: string): Partial {
  const m = /^v?(\d+|[x*])(?:\.(\d+|[x*]))?(?:\.(\d+|[x*]))?$/i.exec(text)
  if (!m) throw new Error(`cannot read the version ${JSON.stringify(text)}`)
  const n = (p?: string) => (p === undefined || /^[x*]$/i.test(p) ? undefined : Number(p))
  const [a, b, c] = [n(m[1]), n(m[2]), n(m[3])]
  return a === undefined ? [] : b === undefined ? [a] : [a, b, c]
}

const floor = (p: Partial): Version => [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0]
const cmp = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]

/** The first version past every one `p` names: `1.2` → 1.3.0, `1` → 2.0.0. */
function past(p: Partial): Version {
  if (p[0] === undefined) return [Infinity, 0, 0]
  if (p[1] === undefined) return [p[0] + 1, 0, 0]
  if (p[2] === undefined) return [p[0], p[1] + 1, 0]
  return [p[0], p[1], p[2] + 1]
}

/** Whether `v` meets one comparator (`>=22.13.0`, `^20`, `18`, `*`), as node-semver reads it. */
function meets(v: Version, comparator: string): boolean {
  const m = /^(>=|<=|>|<|=|\^|~)?\s*(.*)$/.exec(comparator)
  const [op, p] = [m?.[1] ?? '=', partial(m?.[2] ?? '')]
  const lo = floor(p)
  switch (op) {
    case '=':
      return cmp(v, lo) >= 0 && cmp(v, past(p)) < 0
    case '>=':
      return cmp(v, lo) >= 0
    case '>':
      return cmp(v, past(p)) >= 0
    case '<':
      return cmp(v, lo) < 0
    case '<=':
      return cmp(v, past(p)) < 0
    case '~':
      return cmp(v, lo) >= 0 && cmp(v, past(p.slice(0, 2) as Partial)) < 0
    default: {
      // ^: the leftmost non-zero part stays.
      const keep = lo[0] > 0 || p[1] === undefined ? 1 : lo[1] > 0 || p[2] === undefined ? 2 : 3
      return cmp(v, lo) >= 0 && cmp(v, past(lo.slice(0, keep) as Partial)) < 0
    }
  }
}

/** Whether `v` satisfies a range: `||` alternatives of space-separated comparators. */
function satisfies(v: Version, range: string): boolean {
  return range.split('||').some(set =>
    set
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean)
      .every(c => meets(v, c))
  )
}

/** Every version any of `ranges` names, and each major's x.0.0: where ranges begin and end. */
function boundaries(ranges: string[]): Version[] {
  const named = ranges.flatMap(r =>
    [...r.matchAll(/\d+(?:\.\d+){0,2}/g)].map(m => floor(partial(m[0])))
  )
  const majors = Array.from({ length: 41 }, (_, i): Version => [i, 0, 0])
  return [...named, ...majors]
}

interface Lock {
  packages: Record<string, { engines?: { node?: string } | string[] }>
}

/** The packages whose `engines.node` rejects a Node version `engines` admits, with one such version. */
function tooLow(engines: string, lock: Lock): string[] {
  const required = Object.entries(lock.packages).flatMap(([path, p]) => {
    const node = Array.isArray(p.engines) ? undefined : p.engines?.node
    return path && node ? [[path.replace(/^.*node_modules\//, ''), node] as const] : []
  })
  const candidates = boundaries([engines, ...required.map(([, r]) => r)]).filter(v =>
    satisfies(v, engines)
  )
  return required.flatMap(([name, range]) => {
    const rejected = candidates.find(v => !satisfies(v, range))
    return rejected ? [`${name} needs node ${range}, not ${rejected.join('.')}`] : []
  })
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Lock & {
  packages: Record<string, { engines?: { node?: string } }>
}

describe('ranges', () => {
  it('are read as npm reads them', () => {
    const cases: Array<[string, string, boolean]> = [
      ['22.13.0', '^22.13.0 || >=24', true],
      ['22.12.9', '^22.13.0 || >=24', false],
      ['23.5.0', '^22.13.0 || >=24', false],
      ['24.0.0', '^22.13.0 || >=24', true],
      ['20.5.0', '18 || 20 || >=22', true],
      ['21.0.0', '18 || 20 || >=22', false],
      ['14.17.0', '>=16 || 14 >=14.17', true],
      ['14.16.0', '>=16 || 14 >=14.17', false],
      ['9.0.0', '6.* || 8.* || >= 10.*', false],
      ['0.7.1', '>=0.6.11 <=0.7.0 || >=0.7.3', false],
      ['0.7.0', '>=0.6.11 <=0.7.0 || >=0.7.3', true],
      ['0.1.5', '^0.1.2', true],
      ['0.2.0', '^0.1.2', false],
      ['1.3.0', '~1.2', false],
      ['3.0.0', '>2', true],
      ['2.9.0', '>2', false],
      ['1.0.0', '*', true]
    ]
    for (const [v, range, expected] of cases)
      expect([v, range, satisfies(v.split('.').map(Number) as Version, range)]).toEqual([
        v,
        range,
        expected
      ])
  })

  it('find a dependency the old `>=20` was too low for', () => {
    expect(tooLow('>=20', lock)).toEqual(
      expect.arrayContaining(['content-type needs node >=22, not 20.0.0'])
    )
  })
})

describe('engines.node', () => {
  it('is no lower than any installed package needs', () => {
    expect(tooLow(pkg.engines.node, lock)).toEqual([])
  })

  it('is what package-lock.json records for the project', () => {
    expect(lock.packages[''].engines?.node).toBe(pkg.engines.node)
  })

  it('admits the Node the actions run on', () => {
    const runtimes = new Set(
      ACTION_DIRS.map((d: string) => (readAction(d) as { runs: { using: string } }).runs.using)
    )
    expect([...runtimes]).toEqual(['node24'])
    expect(satisfies([24, 0, 0], pkg.engines.node)).toBe(true)
  })

  it('is the range CONTRIBUTING.md states for working on deploy-kit', () => {
    expect(readFileSync('CONTRIBUTING.md', 'utf8')).toContain(`Node \`${pkg.engines.node}\``)
  })

  // deploy.yml's test job sets up the app's Node, not this repository's.
  it.each(['.github/workflows/ci.yml', '.github/workflows/release.yml'])(
    'is met by the Node %s sets up',
    file => {
      const workflow = parse(readFileSync(file, 'utf8')) as {
        jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, unknown> }> }>
      }
      const versions = Object.values(workflow.jobs).flatMap(j =>
        j.steps
          .filter(s => s.uses?.startsWith('actions/setup-node@'))
          .map(s => String(s.with?.['node-version']))
      )
      expect(versions.length).toBeGreaterThan(0)
      for (const v of versions)
        expect([v, satisfies(floor(partial(v)), pkg.engines.node)]).toEqual([v, true])
    }
  )
})
