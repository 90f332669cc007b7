// The timeline at the top of the root action's summary: a Mermaid gantt (GitHub
// draws a ```mermaid block of a job summary) of the stages per host. Nothing in
// it is a server's: host labels are the `host` input, stage names deploy-kit's
// own; even so each label keeps only characters that mean nothing to Mermaid's
// gantt syntax, to Markdown's fence or to HTML.
import { escapeHtml } from '../core/html.js'
import { maskSecrets } from '../core/secrets.js'

/** One stage on one host, as the clock saw it (ms since the epoch). */
export interface StageSpan {
  stage: string
  /** The host the stage ran on; undefined: the stage ran over every host. */
  host?: string
  startMs: number
  endMs: number
  ok: boolean
}

/** A stage result that knows each host's part (ssh-deploy's rows). */
interface PerHostRow {
  host: string
  seconds: number
  status: string
  startedMs?: number
}

function perHostRows(result: unknown): PerHostRow[] {
  const rows = (result as { rows?: unknown }).rows
  if (!Array.isArray(rows)) return []
  return (rows as PerHostRow[]).filter(
    r => typeof r.host === 'string' && typeof r.seconds === 'number'
  )
}

/** Records when each stage of the run began and ended, per host where the stage says. */
export class StageClock {
  readonly spans: StageSpan[] = []

  async time<T extends { ok: boolean }>(stage: string, work: () => Promise<T>): Promise<T> {
    const startMs = Date.now()
    const result = await work()
    const endMs = Date.now()
    const rows = perHostRows(result)
    if (rows.length === 0) this.spans.push({ stage, startMs, endMs, ok: result.ok })
    for (const r of rows) {
      // A host the stage never started on (refused, skipped) has no bar.
      if (r.seconds === 0 && r.startedMs === undefined) continue
      const start = Math.max(startMs, Math.min(endMs, r.startedMs ?? startMs))
      this.spans.push({
        stage,
        host: r.host,
        startMs: start,
        endMs: Math.min(endMs, start + Math.round(r.seconds * 1000)),
        ok: r.status === 'succeeded'
      })
    }
    return result
  }
}

/** A Mermaid label: letters, digits and a few marks; nothing Mermaid, Markdown or HTML reads as syntax. */
export function mermaidLabel(text: string): string {
  const kept = maskSecrets(text)
    .replace(/[^A-Za-z0-9 ._@/+=()-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80)
    .trim()
  // A task or section line that starts with a gantt keyword would be read as that keyword.
  return /^(title|section|dateFormat|axisFormat|tickInterval|excludes|includes|todayMarker|weekday|click|inclusiveEndDates|topAxis|displayMode|accTitle|accDescr)\b/i.test(
    kept
  ) || kept === ''
    ? `_${kept}`
    : kept
}

/**
 * The gantt: a section per host, a bar per stage on it; a stage that ran over
 * every host at once has its bar in each host's section. Times are ms from
 * the run's first start (`dateFormat x`), shown as minutes:seconds.
 */
export function timelineMermaid(spans: readonly StageSpan[], hosts: readonly string[]): string {
  if (spans.length === 0) return ''
  const origin = Math.min(...spans.map(s => s.startMs))
  const lines = ['gantt', '  dateFormat x', '  axisFormat %M:%S']
  let id = 0
  for (const host of hosts) {
    const mine = spans.filter(s => s.host === undefined || s.host === host)
    if (mine.length === 0) continue
    lines.push(`  section ${mermaidLabel(host)}`)
    for (const s of mine) {
      const start = s.startMs - origin
      const end = Math.max(s.endMs - origin, start + 1)
      id += 1
      lines.push(`  ${mermaidLabel(s.stage)} :${s.ok ? 'done' : 'crit'}, s${id}, ${start}, ${end}`)
    }
  }
  return lines.join('\n')
}

/** The same spans as a table, for a reader whose viewer does not draw Mermaid. */
export function stageTable(spans: readonly StageSpan[]): string {
  if (spans.length === 0) return ''
  const rows = spans.map(
    s =>
      `<tr><td>${escapeHtml(s.host ?? 'every host')}</td><td>${escapeHtml(s.stage)}</td>` +
      `<td>${((s.endMs - s.startMs) / 1000).toFixed(1)}</td><td>${s.ok ? 'ok' : 'failed'}</td></tr>`
  )
  return (
    '<table><tr><th>host</th><th>stage</th><th>seconds</th><th>result</th></tr>' +
    rows.join('') +
    '</table>'
  )
}
