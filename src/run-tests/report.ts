import * as core from '@actions/core'
import { escapeHtml } from '../core/html.js'
import { commandLine } from '../core/shell.js'
import { Location, locate } from './locate.js'
import { TestCase, TestResults } from './results.js'
import { TestSettings } from './settings.js'

/** GitHub shows only so many annotations per step; the summary lists every failure. */
export const MAX_ANNOTATIONS = 50
/** Failing tests named in the error's first line; the rest are counted. */
const NAMES_IN_ERROR = 10

export interface Failure {
  test: TestCase
  where?: Location
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

export function failuresOf(results: TestResults | undefined, s: TestSettings): Failure[] {
  return (results?.cases ?? [])
    .filter(c => c.outcome === 'failed')
    .map(test => ({ test, where: locate(test, s.workingDirectory, s.workspace) }))
}

export function setCountOutputs(results: TestResults | undefined): void {
  core.setOutput('passed', results ? String(results.counts.passed) : '')
  core.setOutput('failed', results ? String(results.counts.failed) : '')
  core.setOutput('skipped', results ? String(results.counts.skipped) : '')
}

/** One error annotation per failed test, on its file and line when known. */
export function annotate(failures: readonly Failure[]): void {
  for (const { test, where } of failures.slice(0, MAX_ANNOTATIONS)) {
    const body = test.details ? clip(test.details, 4000) : (test.message ?? 'failed')
    core.error(body, {
      title: clip(`Test failed: ${test.name}${test.message ? ` — ${test.message}` : ''}`, 250),
      file: where?.file,
      startLine: where?.line
    })
  }
}

/** The first line of the step's error names the failing tests. */
export function failureMessage(
  results: TestResults | undefined,
  failures: readonly Failure[],
  exitCode: number
): string | undefined {
  const counts = results?.counts
  if (counts && counts.failed > 0) {
    const total = counts.passed + counts.failed + counts.skipped
    const names = failures.map(f => f.test.name)
    const shown = names.slice(0, NAMES_IN_ERROR).join(', ')
    const more = names.length > NAMES_IN_ERROR ? ` and ${names.length - NAMES_IN_ERROR} more` : ''
    const which = names.length > 0 ? `: ${shown}${more}` : ' (see the log for which)'
    return `${counts.failed} of ${total} test(s) failed${which}`
  }
  if (exitCode !== 0) {
    return results
      ? `the test command exited with code ${exitCode}, though ${results.source} shows no failed test (see the log)`
      : `the test command exited with code ${exitCode} and no test results were found (see the log)`
  }
  return undefined
}

function timeText(seconds: number): string {
  return seconds < 60
    ? `${seconds.toFixed(1)}s`
    : `${Math.floor(seconds / 60)}m ${Math.round(seconds % 60)}s`
}

/** A counts table, then every failed test with where it failed and why. */
export async function writeSummary(args: {
  settings: TestSettings
  argv: readonly string[]
  results: TestResults | undefined
  failures: readonly Failure[]
  exitCode: number
  wallSeconds: number
}): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const { settings: s, results, failures } = args
  const c = results?.counts
  const passed = args.exitCode === 0 && (!c || c.failed === 0)
  const time = results?.seconds !== undefined ? results.seconds : args.wallSeconds
  const summary = core.summary
    .addHeading(`Tests ${passed ? 'passed' : 'failed'}`, 3)
    .addTable([
      ['framework', 'passed', 'failed', 'skipped', 'time'].map(data => ({ data, header: true })),
      [
        `${s.framework} (${escapeHtml(s.reason)})`,
        c ? String(c.passed) : '—',
        c ? (c.failed > 0 ? `❌ ${c.failed}` : '0') : '—',
        c ? String(c.skipped) : '—',
        timeText(time)
      ]
    ])
    .addRaw(
      `<p>Command <code>${escapeHtml(commandLine(args.argv))}</code> exited with code ${args.exitCode}` +
        ` after ${timeText(args.wallSeconds)}; results from ${escapeHtml(results?.source ?? 'nowhere: no report and no output the action can read')}.</p>`,
      true
    )
  if (failures.length > 0) {
    summary
      .addHeading('Failed tests', 4)
      .addTable([
        ['test', 'where', 'message'].map(data => ({ data, header: true })),
        ...failures.map(({ test, where }) => [
          `<code>${escapeHtml(test.name)}</code>`,
          where ? escapeHtml(`${where.file}${where.line ? `:${where.line}` : ''}`) : '—',
          escapeHtml(clip(test.message ?? '', 300))
        ])
      ])
  }
  const skipped = results?.cases.filter(t => t.outcome === 'skipped') ?? []
  if (skipped.length > 0) {
    summary.addDetails(
      `Skipped tests (${skipped.length})`,
      `<ul>${skipped
        .map(
          t =>
            `<li><code>${escapeHtml(t.name)}</code>${t.message ? `: ${escapeHtml(clip(t.message, 200))}` : ''}</li>`
        )
        .join('')}</ul>`
    )
  }
  await summary.write()
}
