import { parseXml, XmlElement } from './xml.js'
import { countCases, TestCase, TestResults } from './results.js'

function firstLine(text: string | undefined): string | undefined {
  const line = text
    ?.split('\n')
    .map(l => l.replace(/\s+/g, ' ').trim())
    .find(l => l !== '')
  return line || undefined
}

function number(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

/**
 * How a test is named: `classname.name` as pytest, Maven and Go's converters
 * write it, or `suite › name` when the class says nothing (Node's reporter
 * writes classname="test" for every case).
 */
function caseName(testcase: XmlElement, suite: string | undefined): string {
  const name = testcase.attrs.name ?? '(unnamed)'
  const classname = testcase.attrs.classname
  if (classname && classname !== 'test' && classname !== suite) return `${classname}.${name}`
  if (suite && !['pytest', 'test', 'root'].includes(suite)) return `${suite} › ${name}`
  return classname && classname !== 'test' ? `${classname}.${name}` : name
}

function toCase(testcase: XmlElement, suite: string | undefined): TestCase {
  const problem = testcase.children.find(c => c.name === 'failure' || c.name === 'error')
  const skipped = testcase.children.find(c => c.name === 'skipped')
  const line = number(testcase.attrs.line)
  const base: TestCase = {
    name: caseName(testcase, suite),
    outcome: problem ? 'failed' : skipped ? 'skipped' : 'passed',
    seconds: number(testcase.attrs.time),
    file: testcase.attrs.file || undefined,
    line: line !== undefined && line > 0 ? line : undefined
  }
  if (problem) {
    const details = problem.text.trim()
    base.message = firstLine(problem.attrs.message) ?? firstLine(details) ?? problem.name
    base.details = details || undefined
  } else if (skipped) {
    base.message = firstLine(skipped.attrs.message) ?? firstLine(skipped.text)
  }
  return base
}

function collect(element: XmlElement, suite: string | undefined, out: TestCase[]): void {
  for (const child of element.children) {
    if (child.name === 'testcase') out.push(toCase(child, suite))
    else if (child.name === 'testsuite' || child.name === 'testsuites') {
      collect(child, child.attrs.name || suite, out)
    }
  }
}

/** Reads a JUnit XML report: every `testcase`, however deeply its suites nest. */
export function parseJUnit(xml: string, source: string): TestResults {
  const root = parseXml(xml)
  if (root.name !== 'testsuites' && root.name !== 'testsuite') {
    throw new Error(`the root element is <${root.name}>, not <testsuites> or <testsuite>`)
  }
  const cases: TestCase[] = []
  if (root.name === 'testsuite') collect({ ...root, children: [root] }, undefined, cases)
  else collect(root, root.attrs.name, cases)
  const suiteTimes = root.children
    .filter(c => c.name === 'testsuite')
    .map(e => number(e.attrs.time))
    .filter((t): t is number => t !== undefined)
  const seconds =
    number(root.attrs.time) ??
    (suiteTimes.length ? suiteTimes.reduce((a, b) => a + b, 0) : undefined)
  return { source, counts: countCases(cases), cases, seconds }
}
