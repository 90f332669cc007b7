import { TestCase, TestResults } from './results.js'

/**
 * Reads what Python's unittest runner prints (Django's `manage.py test` is
 * one): the `Ran N tests` line and the status line after it give the counts,
 * the `FAIL:`/`ERROR:` blocks give each failure, and with `-v 2` the
 * per-test lines give the skipped and passed names.
 */

const RAN = /^Ran (\d+) tests? in ([\d.]+)s$/m
const STATUS = /^(OK|FAILED)(?: \(([^)]*)\))?\s*$/m
const SEPARATOR_EQ = /^={20,}$/
const SEPARATOR_DASH = /^-{20,}$/
const BLOCK_HEAD = /^(FAIL|ERROR|UNEXPECTED SUCCESS): (.+)$/
/** `test_x (app.tests.T)` before Python 3.11, `test_x (app.tests.T.test_x)` from 3.11 on. */
const TEST_ID = /^(\S+) \(([\w.]+)\)/
const RESULT_LINE =
  /^(\S+) \(([\w.]+)\)(?:\n.*)? \.\.\. (ok|FAIL|ERROR|skipped(?: '(.*)')?|expected failure|unexpected success)$/

function testName(method: string, classPath: string): string {
  return classPath.endsWith(`.${method}`) ? classPath : `${classPath}.${method}`
}

function nameOf(header: string): string {
  const m = TEST_ID.exec(header)
  return m ? testName(m[1], m[2]) : header.trim()
}

/** `failures=1, errors=0, skipped=2` → a map of counts. */
function statusCounts(text: string | undefined): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const part of (text ?? '').split(',')) {
    const [key, value] = part.split('=').map(s => s.trim())
    if (key && value && /^\d+$/.test(value)) counts[key] = Number(value)
  }
  return counts
}

function failureBlocks(lines: readonly string[]): TestCase[] {
  const failures: TestCase[] = []
  for (let i = 0; i < lines.length; i++) {
    const head = BLOCK_HEAD.exec(lines[i])
    if (!head || i === 0 || !SEPARATOR_EQ.test(lines[i - 1])) continue
    const body: string[] = []
    let j = i + 1
    if (j < lines.length && SEPARATOR_DASH.test(lines[j])) j++
    for (
      ;
      j < lines.length && !SEPARATOR_EQ.test(lines[j]) && !SEPARATOR_DASH.test(lines[j]);
      j++
    ) {
      body.push(lines[j])
    }
    const details = body.join('\n').trim()
    failures.push({
      name: nameOf(head[2]),
      outcome: 'failed',
      message: head[1] === 'UNEXPECTED SUCCESS' ? 'unexpected success' : exceptionLine(body),
      details: details || undefined
    })
    i = j - 1
  }
  return failures
}

/** The exception a traceback ends with: the first unindented line after its last frame. */
function exceptionLine(body: readonly string[]): string | undefined {
  let last = -1
  body.forEach((line, i) => {
    if (/^\s+File ".+", line \d+/.test(line)) last = i
  })
  const after = body.slice(last + 1)
  const line = after.find(l => l.trim() !== '' && !/^\s/.test(l)) ?? after.find(l => l.trim())
  return line?.trim()
}

function resultLines(output: string): TestCase[] {
  const cases: TestCase[] = []
  const lines = output.split('\n')
  for (let i = 0; i < lines.length; i++) {
    // A docstring may put the result on the next line: `test_x (a.T)\nDoc ... ok`.
    const m = RESULT_LINE.exec(lines[i]) ?? RESULT_LINE.exec(`${lines[i]}\n${lines[i + 1] ?? ''}`)
    if (!m) continue
    const status = m[3]
    cases.push({
      name: testName(m[1], m[2]),
      outcome:
        status === 'ok' || status === 'expected failure'
          ? 'passed'
          : status.startsWith('skipped')
            ? 'skipped'
            : 'failed',
      message: status.startsWith('skipped') ? m[4] : undefined
    })
  }
  return cases
}

/** Results from unittest output, or undefined when it has no `Ran N tests` line. */
export function parseUnittestOutput(output: string, source: string): TestResults | undefined {
  const text = output.replace(/\r\n?/g, '\n')
  const ran = RAN.exec(text)
  if (!ran) return undefined
  const status = STATUS.exec(text.slice(ran.index))
  const counts = statusCounts(status?.[2])
  const total = Number(ran[1])
  const failed =
    (counts.failures ?? 0) + (counts.errors ?? 0) + (counts['unexpected successes'] ?? 0)
  const skipped = counts.skipped ?? 0

  const byName = new Map<string, TestCase>()
  for (const c of resultLines(text)) byName.set(c.name, c)
  for (const f of failureBlocks(text.split('\n')))
    byName.set(f.name, { ...byName.get(f.name), ...f })
  return {
    source,
    counts: { passed: Math.max(0, total - failed - skipped), failed, skipped },
    cases: [...byName.values()],
    seconds: Number(ran[2])
  }
}
