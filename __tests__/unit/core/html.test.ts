// Server text in a job summary, as GitHub shows it: rendered as GFM
// (helpers/rendered-summary.ts, a stand-in for GitHub's renderer).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import * as core from '@actions/core'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as html from '../../../src/core/html.js'
import { registerSecret } from '../../../src/core/secrets.js'
import { writeSummary } from '../../../src/smoke-check/report.js'
import { SecretMasker } from '../../../testbed/secret-masker.js'
import { renderSummary, summaryElements, summaryText } from '../../helpers/rendered-summary.js'

/** Stderr a server may send back: a blank line, then Markdown and HTML that would render. */
const STDERR = [
  'error: it went wrong',
  '',
  '![x](https://evil/x.png) and [click](https://evil) and <img src=x>',
  '<https://evil/auto> https://evil/bare www.evil.example x@evil.example',
  '| a | b |',
  '| - | - |',
  '`code` **bold**'
].join('\n')

let dir: string
let file: string
const saved = process.env.GITHUB_STEP_SUMMARY

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'deploykit-summary-'))
  file = join(dir, 'summary')
  process.env.GITHUB_STEP_SUMMARY = file
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY
  else process.env.GITHUB_STEP_SUMMARY = saved
})

async function written(write: () => Promise<unknown>): Promise<string> {
  writeFileSync(file, '')
  core.summary.emptyBuffer()
  await write()
  return readFileSync(file, 'utf8')
}

function expectInert(summary: string): void {
  const tags = new Set(summaryElements(summary).map(e => e.tag))
  for (const tag of ['img', 'a', 'code', 'strong', 'p'])
    expect([tag, tags.has(tag)]).toEqual([tag, false])
  // GFM would make a second table from the pipes.
  expect(summaryElements(summary).filter(e => e.tag === 'table')).toHaveLength(1)
}

describe('server text in a summary', () => {
  it('stays text in a table cell: no image, link, autolink, table or code, and reads as it was', async () => {
    const summary = await written(() =>
      core.summary
        .addHeading('Deploy', 2)
        .addTable([[{ data: 'detail', header: true }], [html.escapeHtml(STDERR)]])
        .write()
    )
    expectInert(summary)
    expect(summaryText(summary)).toContain(STDERR)
  })

  it('escapes the text cells of a row and leaves HTML deploy-kit made itself as it is', async () => {
    const link = new html.Html(
      '<a href="https://github.com/acme/app/commit/abc"><code>abc</code></a>'
    )
    const summary = await written(() =>
      core.summary.addTable([html.summaryRow([link, '<code>not code</code>'])]).write()
    )
    expect(summaryElements(summary).map(e => e.tag)).toEqual([
      'table',
      'tr',
      'td',
      'a',
      'code',
      'td'
    ])
    expect(summaryText(summary)).toContain('<code>not code</code>')
  })

  it('changes only what HTML needs and line breaks, so the runner still finds secrets to mask', async () => {
    expect(html.escapeHtml(`a&b <i>\r\n[l](u) ![i](u) \`c\` x|y s:t u@h www.h\rz`)).toBe(
      'a&amp;b &lt;i&gt;<br>[l](u) ![i](u) `c` x|y s:t u@h www.h<br>z'
    )
    // The runner masks the summary file by the secrets' exact characters (stand-in: testbed/secret-masker.ts).
    const secret = 'db-P&ss<w0rd>!'
    registerSecret(secret)
    const summary = await written(() =>
      core.summary
        .addTable([[html.escapeHtml(`connect failed: postgres://app:${secret}@db/app`)]])
        .write()
    )
    const masker = new SecretMasker()
    masker.addSecret(secret)
    const shown = summaryText(
      summary
        .split('\n')
        .map(line => masker.mask(line))
        .join('\n')
    )
    expect(shown).toContain('connect failed: postgres://app:***@db/app')
    expect(shown).not.toContain(secret)
  })

  it('stays text in the smoke-check summary, where probe errors come from the server', async () => {
    const summary = await written(() =>
      writeSummary(
        [
          {
            method: 'GET',
            url: 'http://127.0.0.1/health',
            from: 'server root@web1',
            passed: false,
            attempts: 1,
            reason: STDERR
          }
        ],
        1000
      )
    )
    expectInert(summary)
    // The result column keeps a reason to one line.
    expect(summaryText(summary)).toContain(STDERR.replace(/\s+/g, ' '))
    expect(renderSummary(summary)).toContain('<h3>Smoke check</h3>')
  })
})
