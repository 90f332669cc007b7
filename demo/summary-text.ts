/** A job summary (Markdown with HTML tables, as the runner renders it) as plain text for a terminal. */
export function summaryText(html: string): string {
  return html
    .replace(/<tr>/g, '\n')
    .replace(/<\/t[hd]>/g, ' | ')
    .replace(/<h\d>(.*?)<\/h\d>/g, '\n## $1\n')
    .replace(/<pre[^>]*><code>([\s\S]*?)<\/code><\/pre>/g, '\n  $1\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .split('\n')
    .map(l => l.replace(/\s*\|\s*$/, '').trimEnd())
    .filter((l, i, all) => l !== '' || all[i - 1] !== '')
    .join('\n')
    .trim()
}
