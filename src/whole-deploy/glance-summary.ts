import { readFileSync, writeFileSync } from 'node:fs'
import { debugLine } from '../core/debug-log.js'
import { errorMessage } from '../core/errors.js'
import { escapeHtml } from '../core/html.js'
import type { ReleaseRecord } from '../ssh-deploy/release-log.js'
import { historyTable } from './release-history.js'
import { StageSpan, stageTable, timelineMermaid } from './timeline.js'

export interface Glance {
  ok: boolean
  rolledBack: boolean
  /** The run's final message. */
  verdict: string
  spans: readonly StageSpan[]
  hosts: readonly string[]
  /** One host's release log as the run left it, oldest first. */
  history?: { host: string; records: readonly ReleaseRecord[] }
}

/**
 * The run at a glance, as Markdown: the verdict in one line, the timeline
 * (a Mermaid block, then the same as a table), the last releases. Each HTML
 * block is followed by a blank line, so the fence after it is Markdown again;
 * the verdict's own line breaks are spaces, so it cannot end its block.
 */
export function glanceMarkdown(g: Glance): string {
  const word = g.ok ? '✔ Deployed' : g.rolledBack ? '✘ Failed, rolled back' : '✘ Failed'
  const oneLine = g.verdict.replace(/\s*[\r\n]+\s*/g, ' ')
  const parts = [`<p><b>${word}</b>: ${escapeHtml(oneLine)}</p>`]
  const gantt = timelineMermaid(g.spans, g.hosts)
  if (gantt) parts.push('```mermaid\n' + gantt + '\n```', stageTable(g.spans))
  const history = g.history && historyTable(g.history.host, g.history.records)
  if (history) parts.push(history)
  return parts.join('\n\n') + '\n\n'
}

/**
 * Puts the glance at the top of the step's summary, above what the stages
 * wrote as they ran. The run's result does not depend on it: a summary that
 * cannot be written is a debug line.
 */
export function writeGlance(g: Glance): void {
  const path = process.env.GITHUB_STEP_SUMMARY
  if (!path) return
  try {
    let below = ''
    try {
      below = readFileSync(path, 'utf8')
    } catch {
      // No summary yet: the glance is all of it.
    }
    writeFileSync(path, glanceMarkdown(g) + below)
  } catch (err) {
    debugLine(`the summary's glance was not written: ${errorMessage(err)}`)
  }
}
