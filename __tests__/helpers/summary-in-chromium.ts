/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// A job summary as GitHub shows it, Mermaid included: the Markdown rendered as
// GitHub renders it (a stand-in built on GitHub's GFM specification,
// helpers/rendered-summary.ts), then each ```mermaid block drawn by the mermaid
// package, as GitHub's viewer draws it, in Debian's headless Chromium, with
// `securityLevel: 'strict'`. Keeps a screenshot.
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import puppeteer from 'puppeteer-core'
import { renderSummary } from './rendered-summary.js'

/** Debian's package `chromium`. */
export const CHROMIUM = '/usr/bin/chromium'

/**
 * The network is closed here: without the background-networking flags
 * Chromium waits on refused connections at start.
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

export interface DrawnGantt {
  /** Its section titles, in order. */
  sections: string[]
  /** Its bars (rect.task), each with the text drawn for it and its classes. */
  bars: Array<{ label: string; classes: string }>
}

export interface DrawnSummary {
  /** The page's HTML once every diagram is drawn. */
  html: string
  /** The text a reader sees, diagrams included. */
  text: string
  gantts: DrawnGantt[]
  /** Each table as drawn: the heading just before it (or ''), and its rows' cell texts. */
  tables: Array<{ heading: string; rows: string[][] }>
  /** Messages of diagrams Mermaid refused, and error text it drew instead of a diagram. */
  errors: string[]
}

/** Renders the summary's Markdown, draws its Mermaid blocks, and saves a full-page PNG at `screenshot`. */
export async function drawSummary(markdown: string, screenshot: string): Promise<DrawnSummary> {
  const require = createRequire(import.meta.url)
  const mermaidJs = join(dirname(require.resolve('mermaid/package.json')), 'dist', 'mermaid.min.js')
  const profile = mkdtempSync(join(tmpdir(), 'glance-chromium-'))
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    ignoreDefaultArgs: true,
    pipe: true,
    args: [...FLAGS, `--user-data-dir=${profile}`]
  })
  try {
    const page = await browser.newPage()
    await page.setViewport({ width: 1100, height: 800 })
    await page.setContent(
      '<!doctype html><html><head><meta charset="utf-8"><style>' +
        'body{font-family:sans-serif;margin:16px}table{border-collapse:collapse;margin:8px 0}' +
        'td,th{border:1px solid #ccc;padding:2px 6px}</style></head>' +
        `<body>${renderSummary(markdown)}</body></html>`
    )
    await page.addScriptTag({ path: mermaidJs })
    const errors = await page.evaluate(async () => {
      type Mermaid = {
        initialize(config: object): void
        render(id: string, text: string): Promise<{ svg: string }>
      }
      const mermaid = (globalThis as unknown as { mermaid: Mermaid }).mermaid
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' })
      const failed: string[] = []
      const blocks = [...document.querySelectorAll('pre > code.language-mermaid')]
      for (const [i, code] of blocks.entries()) {
        try {
          const { svg } = await mermaid.render(`diagram${i}`, code.textContent ?? '')
          const holder = document.createElement('div')
          holder.className = 'mermaid-diagram'
          holder.innerHTML = svg
          code.parentElement!.replaceWith(holder)
        } catch (err) {
          failed.push(String(err))
        }
      }
      // Mermaid draws its error picture ("Syntax error in text") when it cannot parse.
      for (const svg of document.querySelectorAll('svg'))
        if (/Syntax error|error in text/i.test(svg.textContent ?? ''))
          failed.push(svg.textContent ?? '')
      return failed
    })
    const gantts = await page.evaluate(() =>
      [...document.querySelectorAll('.mermaid-diagram svg')].map(svg => ({
        sections: [...svg.querySelectorAll('text.sectionTitle')].map(t => t.textContent ?? ''),
        bars: [...svg.querySelectorAll('rect.task')].map(rect => ({
          label: svg.querySelector(`text#${CSS.escape(rect.id)}-text`)?.textContent ?? '',
          classes: rect.getAttribute('class') ?? ''
        }))
      }))
    )
    const tables = await page.evaluate(() =>
      [...document.querySelectorAll('table')].map(table => {
        const before = table.previousElementSibling
        return {
          heading: before && /^H\d$/.test(before.tagName) ? (before.textContent ?? '') : '',
          rows: [...table.querySelectorAll('tr')].map(tr =>
            [...tr.querySelectorAll('td, th')].map(cell => (cell as HTMLElement).innerText)
          )
        }
      })
    )
    await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true })
    const text = await page.evaluate(() => document.body.innerText)
    return { html: await page.content(), text, gantts, tables, errors }
  } finally {
    await browser.close()
    rmSync(profile, { recursive: true, force: true })
  }
}
