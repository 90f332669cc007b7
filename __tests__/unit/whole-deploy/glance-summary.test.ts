import { describe, expect, it } from '@jest/globals'
import { glanceMarkdown } from '../../../src/whole-deploy/glance-summary.js'
import { historyTable } from '../../../src/whole-deploy/release-history.js'
import {
  mermaidLabel,
  StageClock,
  StageSpan,
  timelineMermaid
} from '../../../src/whole-deploy/timeline.js'
import type { ReleaseRecord } from '../../../src/ssh-deploy/release-log.js'
import { summaryElements, summaryText } from '../../helpers/rendered-summary.js'

const T0 = 1_800_000_000_000
const HOSTS = ['root@web1:22', 'root@web2:22']
const spans: StageSpan[] = [
  { stage: 'ssh-deploy', host: HOSTS[0], startMs: T0, endMs: T0 + 3000, ok: true },
  { stage: 'ssh-deploy', host: HOSTS[1], startMs: T0 + 500, endMs: T0 + 3500, ok: true },
  { stage: 'smoke-check', startMs: T0 + 3600, endMs: T0 + 5000, ok: false }
]

describe('mermaidLabel', () => {
  it.each([
    ['root@web1:22', 'root@web1 22'],
    ['rollback: ssh-deploy', 'rollback ssh-deploy'],
    ['a```b\n%%{init}%%;#<img>', 'a b init img'],
    ['section x', '_section x'],
    ['click here', '_click here'],
    ['', '_'],
    ['x'.repeat(100), 'x'.repeat(80)]
  ])('%j → %j', (text, label) => {
    expect(mermaidLabel(text)).toBe(label)
  })
})

describe('timelineMermaid', () => {
  it('a section per host, a bar per stage there, ms from the first start; a stage of every host in each', () => {
    expect(timelineMermaid(spans, HOSTS)).toBe(
      [
        'gantt',
        '  dateFormat x',
        '  axisFormat %M:%S',
        '  section root@web1 22',
        '  ssh-deploy :done, s1, 0, 3000',
        '  smoke-check :crit, s2, 3600, 5000',
        '  section root@web2 22',
        '  ssh-deploy :done, s3, 500, 3500',
        '  smoke-check :crit, s4, 3600, 5000'
      ].join('\n')
    )
  })

  it('nothing ran: no diagram', () => {
    expect(timelineMermaid([], HOSTS)).toBe('')
  })
})

describe('StageClock', () => {
  it('a stage with rows has a bar per host it started on, from its own start; one without, one bar', async () => {
    const clock = new StageClock()
    const now = Date.now()
    await clock.time('ssh-deploy', async () => ({
      ok: true,
      rows: [
        { host: 'a', seconds: 0, status: 'succeeded', startedMs: now },
        { host: 'b', seconds: 0, status: 'failed', startedMs: now },
        { host: 'c', seconds: 0, status: 'untouched' }
      ]
    }))
    await clock.time('smoke-check', async () => ({ ok: false }))
    expect(clock.spans.map(s => [s.stage, s.host, s.ok])).toEqual([
      ['ssh-deploy', 'a', true],
      ['ssh-deploy', 'b', false],
      ['smoke-check', undefined, false]
    ])
    for (const s of clock.spans) expect(s.endMs).toBeGreaterThanOrEqual(s.startMs)
  })
})

const record = (extra: Partial<ReleaseRecord>): ReleaseRecord => ({
  id: 'r1',
  ref: 'a'.repeat(40),
  source: 'git',
  status: 'succeeded',
  ...extra
})

describe('historyTable', () => {
  it('the last releases, newest first, every cell text', () => {
    const records = [1, 2, 3, 4, 5, 6].map(n => record({ id: `r${n}` }))
    const html = historyTable('web1', records, 5)
    expect([...html.matchAll(/<tr><td>(r\d)</g)].map(m => m[1])).toEqual([
      'r6',
      'r5',
      'r4',
      'r3',
      'r2'
    ])
  })

  it('a hostile record stays text', () => {
    const html = historyTable('web1', [
      record({
        id: '<img src=x onerror=alert(1)>',
        actor: '</td><script>x</script>',
        error: 'a\n\n# b'
      })
    ])
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('\n')
    expect(summaryElements(html).map(e => e.tag)).not.toContain('h1')
  })

  it('an empty log: no table', () => {
    expect(historyTable('web1', [])).toBe('')
  })
})

describe('glanceMarkdown', () => {
  const markdown = glanceMarkdown({
    ok: false,
    rolledBack: true,
    verdict: 'smoke-check failed.\n\n# Rolled back <img src=x>',
    spans,
    hosts: HOSTS,
    history: { host: HOSTS[0], records: [record({})] }
  })

  it('starts with the verdict in one line, then the diagram, the table of stages and the history', () => {
    const text = summaryText(markdown).trimStart()
    expect(text.split('\n')[0]).toBe(
      '✘ Failed, rolled back: smoke-check failed. # Rolled back <img src=x>'
    )
    expect(markdown).toContain('\n\n```mermaid\ngantt\n')
    expect(markdown).toContain('\n```\n\n<table>')
    expect(text).toContain('Last releases on root@web1:22')
    expect(summaryElements(markdown).map(e => e.tag)).not.toContain('img')
  })

  it('the renderer sees the fence as a Mermaid block', () => {
    expect(summaryElements(markdown)).toContainEqual({
      tag: 'code',
      attributes: 'class="language-mermaid"'
    })
  })

  it('a deploy that passed; no stage ran: no diagram', () => {
    const ok = glanceMarkdown({
      ok: true,
      rolledBack: false,
      verdict: 'Deployed',
      spans: [],
      hosts: HOSTS
    })
    expect(ok).toBe('<p><b>✔ Deployed</b>: Deployed</p>\n\n')
  })
})
