// How GitHub shows a job summary: it renders the Markdown with GFM (its
// cmark-gfm) before sanitizing the HTML. A stand-in: micromark with its GFM
// extension, which follows GitHub's published GFM specification, raw HTML
// passed through as GitHub passes it before sanitizing.
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'

export function renderSummary(markdown: string): string {
  return micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()]
  })
}

/** Every element the rendered summary holds, with its attributes as written. */
export function summaryElements(markdown: string): Array<{ tag: string; attributes: string }> {
  return [...renderSummary(markdown).matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)].map(m => ({
    tag: m[1].toLowerCase(),
    attributes: m[2].trim()
  }))
}

function decode(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (ref, body: string) => {
    if (body[0] !== '#') return named[body] ?? ref
    return String.fromCodePoint(
      body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : Number(body.slice(1))
    )
  })
}

/** The summary's text as a reader sees it: tags gone, <br> a line break, references decoded. */
export function summaryText(markdown: string): string {
  return decode(
    renderSummary(markdown)
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<[^>]*>/g, '')
  )
}

/** The cells of every table row the rendered summary shows, as text, header rows included. */
export function summaryRows(markdown: string): string[][] {
  return [...renderSummary(markdown).matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(row =>
    [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map(cell => summaryText(cell[1]))
  )
}

/** The images and links a rendered summary shows, as `img …` / `a …` with their attributes. */
export function imagesAndLinks(markdown: string): string[] {
  return summaryElements(markdown)
    .filter(e => e.tag === 'img' || e.tag === 'a')
    .map(e => `${e.tag} ${e.attributes}`)
}

/** One line a hostile server may print: Markdown and HTML for an image, links, autolinks, code and a cell. */
export const MARKDOWN_PAYLOAD =
  'error: ![x](https://evil/x.png) [click](https://evil) <img src=x> <https://evil/auto> https://evil/bare www.evil.example `code` a|b'
