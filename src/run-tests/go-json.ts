import { TestCase, TestResults } from './results.js'

/** One line of `go test -json` (test2json). */
interface GoEvent {
  Action?: string
  Package?: string
  Test?: string
  Elapsed?: number
  Output?: string
}

export function parseGoEvent(line: string): GoEvent | undefined {
  if (!line.startsWith('{')) return undefined
  try {
    const event = JSON.parse(line) as GoEvent
    return typeof event.Action === 'string' ? event : undefined
  } catch {
    return undefined
  }
}

/** What a test2json line shows in the log: its Output, or nothing for the bookkeeping events. */
export function goEventText(line: string): string | undefined {
  const event = parseGoEvent(line)
  if (!event) return line
  return event.Output === undefined ? undefined : event.Output.replace(/\n$/, '')
}

/**
 * A package that does not compile: Go before 1.24 prints this outside the
 * JSON stream, `# pkg [pkg.test]`, the compiler's `file:line:col: msg`
 * lines, then `FAIL pkg [build failed]`.
 */
function buildFailures(output: string): TestCase[] {
  const lines = output.split('\n')
  const failures: TestCase[] = []
  for (const line of lines) {
    const m = /^FAIL\s+(\S+)\s+\[(build failed|setup failed)\]/.exec(line)
    if (!m) continue
    const header = lines.findIndex(l => l.startsWith(`# ${m[1]}`))
    const errors: string[] = []
    for (
      let i = header + 1;
      header >= 0 && i < lines.length && /^\S+\.go:\d+/.test(lines[i]);
      i++
    ) {
      errors.push(lines[i])
    }
    failures.push({
      name: m[1],
      outcome: 'failed',
      message: errors[0]?.replace(/^\S+\.go:\d+(:\d+)?: /, '') ?? m[2],
      details: errors.join('\n') || undefined
    })
  }
  return failures
}

/** `    calc_test.go:12: want 3, got 2` → the file, line and message Go's testing package printed. */
const GO_LOCATION = /^\s+([\w./-]+\.go):(\d+): (.*)$/

function packageDir(pkg: string, modulePath: string | undefined): string | undefined {
  if (!modulePath) return undefined
  if (pkg === modulePath) return '.'
  return pkg.startsWith(`${modulePath}/`) ? pkg.slice(modulePath.length + 1) : undefined
}

/**
 * Results from `go test -json` output (stdout and stderr together). Only leaf tests count (a parent
 * fails with its failing subtest); a package that fails without any test
 * failing (it did not build) is a failure of its own.
 */
export function parseGoTestJson(
  output: string,
  source: string,
  modulePath?: string
): TestResults | undefined {
  const events = output
    .split('\n')
    .map(parseGoEvent)
    .filter((e): e is GoEvent => e !== undefined)
  if (events.length === 0 && buildFailures(output).length === 0) return undefined
  const key = (e: GoEvent) => `${e.Package ?? ''}\u0000${e.Test ?? ''}`
  const outputs = new Map<string, string[]>()
  const finals = new Map<string, GoEvent>()
  for (const e of events) {
    if (e.Action === 'output' && e.Output !== undefined) {
      outputs.set(key(e), [...(outputs.get(key(e)) ?? []), e.Output])
    } else if (e.Action === 'pass' || e.Action === 'fail' || e.Action === 'skip') {
      finals.set(key(e), e)
    }
  }
  const tests = [...finals.values()].filter(e => e.Test)
  const leaves = tests.filter(
    t => !tests.some(o => o.Package === t.Package && o.Test?.startsWith(`${t.Test}/`))
  )
  const cases: TestCase[] = leaves.map(e => {
    const text = (outputs.get(key(e)) ?? []).join('')
    const where = text
      .split('\n')
      .map(l => GO_LOCATION.exec(l))
      .find(m => m !== null)
    const dir = packageDir(e.Package ?? '', modulePath)
    return {
      name: `${e.Package}.${e.Test}`,
      outcome: e.Action === 'pass' ? 'passed' : e.Action === 'skip' ? 'skipped' : 'failed',
      seconds: e.Elapsed,
      file: where && dir ? (dir === '.' ? where[1] : `${dir}/${where[1]}`) : undefined,
      line: where ? Number(where[2]) : undefined,
      message: where ? where[3] : undefined,
      details: e.Action === 'pass' ? undefined : text.trim() || undefined
    }
  })
  for (const pkg of [...finals.values()].filter(e => !e.Test && e.Action === 'fail')) {
    if (cases.some(c => c.outcome === 'failed' && c.name.startsWith(`${pkg.Package}.`))) continue
    const text = (outputs.get(key(pkg)) ?? []).join('').trim()
    cases.push({
      name: `${pkg.Package}`,
      outcome: 'failed',
      message: text.split('\n').find(l => l.trim() && !/^(FAIL|ok)\b/.test(l)) ?? 'package failed',
      details: text || undefined
    })
  }
  cases.push(...buildFailures(output).filter(f => !cases.some(c => c.name === f.name)))
  const seconds = [...finals.values()]
    .filter(e => !e.Test && e.Elapsed !== undefined)
    .reduce((sum, e) => sum + (e.Elapsed ?? 0), 0)
  return {
    source,
    counts: {
      passed: cases.filter(c => c.outcome === 'passed').length,
      failed: cases.filter(c => c.outcome === 'failed').length,
      skipped: cases.filter(c => c.outcome === 'skipped').length
    },
    cases,
    seconds
  }
}
