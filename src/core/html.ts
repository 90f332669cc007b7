import { maskSecrets } from './secrets.js'

// GitHub renders a job summary as Markdown (GFM), in which a block of HTML
// passes through unparsed until a blank line ends it. Every summary here is
// HTML (headings, tables, paragraphs) with no blank line, so text inside one
// is never read as Markdown, as long as the text itself cannot end the block:
// its line breaks become <br>. Its `&`, `<` and `>` become references, so it
// cannot be a tag. Nothing else is changed: the runner masks secrets in the
// summary by their exact characters, and a secret escaped further would no
// longer be found; the secrets deploy-kit registered are masked here first,
// before `&`, `<` or `>` could change them.

/** Text for a job summary's element content: server output and names never become markup or Markdown. */
export function escapeHtml(text: string): string {
  return maskSecrets(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n|\r|\n/g, '<br>')
}

/** HTML that deploy-kit put together itself, from escaped parts: goes into a summary as it is. */
export class Html {
  constructor(readonly html: string) {}
}

/** A summary table row: text is escaped, Html goes in as it is. */
export function summaryRow(cells: ReadonlyArray<string | Html>): string[] {
  return cells.map(cell => (cell instanceof Html ? cell.html : escapeHtml(cell)))
}
