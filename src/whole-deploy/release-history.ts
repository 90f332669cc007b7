import { escapeHtml } from '../core/html.js'
import type { ReleaseRecord } from '../ssh-deploy/release-log.js'

/** How many releases of the server's log the summary shows. */
export const HISTORY_LENGTH = 5

/**
 * The last releases of one host's release log, newest first. Every cell is
 * read from the server: text, escaped, never markup.
 */
export function historyTable(
  host: string,
  records: readonly ReleaseRecord[],
  last = HISTORY_LENGTH
): string {
  if (records.length === 0) return ''
  const rows = records
    .slice(-last)
    .reverse()
    .map(r => {
      const cells = [
        r.id,
        r.ref.slice(0, 12),
        r.status,
        r.actor ?? '',
        r.finishedAt ?? r.startedAt ?? '',
        (r.error ?? '').slice(0, 200)
      ]
      return `<tr>${cells.map(cell => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`
    })
  return (
    `<h3>Last releases on ${escapeHtml(host)}</h3>` +
    '<table><tr><th>release</th><th>ref</th><th>status</th><th>by</th><th>when</th><th>error</th></tr>' +
    rows.join('') +
    '</table>'
  )
}
