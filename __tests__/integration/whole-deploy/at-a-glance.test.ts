// A deploy seen at a glance, and under ACTIONS_STEP_DEBUG. The root action runs
// in this process (helpers/in-process-action.ts) against two hosts of the
// fleet testbed (each its own namespace, sshd and Docker engine, 50 ms
// links), deploying busybox httpd as the app with a secret in `env`: first a
// good release, then one whose /health is gone, so the smoke check fails and
// both hosts roll back. Between the two, the first host's release log gets a
// record no deploy wrote, its every field Markdown, HTML and Mermaid syntax.
// The log is read as the runner reads it: every remote command the log shows
// has its `::debug::` line, the decisions have theirs, and no line holds the
// secret. The summary is rendered as GitHub renders it (a stand-in for its
// Markdown, helpers/rendered-summary.ts) with the Mermaid drawn by the mermaid
// package in Debian's headless Chromium (helpers/summary-in-chromium.ts): the
// verdict first, a bar per stage per host, then the server's last releases.
// GitHub's own service is not involved.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { statePaths } from '../../../src/commands/state-paths.js'
import { run, setOutputs } from '../../../src/whole-deploy/main.js'
import { readRootSettings } from '../../../src/whole-deploy/root-settings.js'
import { visibleLog } from '../../helpers/capture-output.js'
import { InProcessAction, InProcessRun, throughEntry } from '../../helpers/in-process-action.js'
import { summaryText } from '../../helpers/rendered-summary.js'
import { drawSummary } from '../../helpers/summary-in-chromium.js'
import { ensureDocker, stopDocker } from '../../../testbed/docker.js'
import { FleetHosts, startFleetHosts } from '../../../testbed/fleet-hosts.js'
import { BUSYBOX_IMAGE } from '../../../testbed/images.js'
import { ensurePrerequisites } from '../../../testbed/prerequisites.js'

const APP_DIR = '/srv/glance'
const PORT = 8080
const SECRET = 'glance-Secret-7f3kQ2'
/** Who deployed, as the release log records it and the summary reads it back. */
const ACTOR = 'mallory<img src=x onerror=alert(1)>'
/** A record no deploy wrote: each field would be markup, a fence or Mermaid syntax if it were not text. */
const FORGED = {
  id: 'forged<img src=x onerror=alert(2)>',
  ref: '```mermaid %%{init: {"securityLevel":"loose"}}%% :crit',
  source: 'upload',
  status: 'failed',
  actor: '</td></tr></table><script>alert(3)</script>',
  error:
    'x\n\n```\ngantt\n  section evil\n  evil :crit, e1, 0, 1\n```\n\n<img src=x onerror=alert(4)>'
}

let dockerPid: number | undefined
let fleet: FleetHosts
let work: string
let app: string
let action: InProcessAction
let hosts: string[]

function release(name: string, healthy: boolean): void {
  writeFileSync(
    join(app, 'docker-compose.yml'),
    `services:
  web:
    image: ${BUSYBOX_IMAGE}
    labels: { glance.release: ${name} }
    volumes: ["./www:/www:ro"]
    ports: ["${PORT}:8080"]
    command: ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $$!; exit 0' TERM; wait"]
`
  )
  writeFileSync(join(app, 'www', 'version'), `${name}\n`)
  if (healthy) writeFileSync(join(app, 'www', 'health'), 'ok\n')
  else rmSync(join(app, 'www', 'health'), { force: true })
}

let deploys = 0
function deploy(): Promise<InProcessRun> {
  deploys += 1
  action.setEnv({ GITHUB_SHA: String(deploys).repeat(40), GITHUB_ACTOR: ACTOR })
  return action.runAction({
    host: fleet.hostInput(2),
    key: fleet.key.privateKey,
    'known-hosts': fleet.knownHosts(),
    'app-dir': APP_DIR,
    source: 'upload',
    'upload-path': app,
    'project-name': 'glance',
    'env-file': '.env',
    env: `API_TOKEN=${SECRET}`,
    'smoke-urls': `http://${fleet.hosts[0].address}:${PORT}/health`,
    'smoke-expect-status': '200',
    'smoke-wait-timeout': '2'
  })
}

/** The text of each `::debug::` line, unescaped as the runner shows it. */
function debugLines(output: string): string[] {
  return output
    .split('\n')
    .filter(line => line.startsWith('::debug::'))
    .map(line =>
      line
        .slice('::debug::'.length)
        .replace(/%0D/g, '\r')
        .replace(/%0A/g, '\n')
        .replace(/%25/g, '%')
    )
}

/** Every command the log shows (`[host] $ …`, its first line), as host and command text. */
function loggedCommands(output: string): Array<{ host: string; command: string }> {
  return [...output.matchAll(/^\[([^\]\n]+)\] \$ (.*)$/gm)].map(m => ({
    host: m[1],
    command: m[2]
  }))
}

/** Every logged command has its timed debug line; the secret is in no line, the key in none. */
function checkDebug(r: InProcessRun): string[] {
  const debug = debugLines(r.output)
  const timed = debug.filter(line =>
    /: \$ [\s\S]* → (exit \d+|signal \w+|timed out[^\n]*|failed) in \d+ ms/.test(line)
  )
  const commands = loggedCommands(r.output)
  expect(commands.length).toBeGreaterThan(5)
  for (const { host, command } of commands) {
    if (!timed.some(line => line.startsWith(`${host}: $ ${command}`)))
      throw new Error(`no debug line for ${host}: ${command}\n${timed.join('\n')}`)
  }
  // The quiet ones (probes, reads of the log) have theirs too.
  expect(timed.length).toBeGreaterThan(commands.length)
  for (const line of debug) expect(line).not.toContain(SECRET)
  expect(visibleLog(r.output)).not.toContain(SECRET)
  expect(r.summary).not.toContain(SECRET)
  expect(visibleLog(r.output)).not.toContain(fleet.key.privateKey.split('\n')[1])
  return debug
}

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  fleet = await startFleetHosts(2, { images: [BUSYBOX_IMAGE] })
  hosts = fleet.servers.map(s => `root@${s.address}:${s.port}`)
  work = mkdtempSync(join(tmpdir(), 'glance-'))
  app = join(work, 'app')
  mkdirSync(join(app, 'www'), { recursive: true })
  action = new InProcessAction(
    throughEntry(read => ({ readSettings: () => readRootSettings(read), run, setOutputs })),
    { GITHUB_REPOSITORY: 'org/glance' }
  )
}, 10 * 60_000)

afterAll(async () => {
  action?.remove()
  if (work) rmSync(work, { recursive: true, force: true })
  await fleet?.stop()
  if (dockerPid) await stopDocker(dockerPid)
})

it('a good deploy: a timed debug line per remote command, the live release, the batch and the decision', async () => {
  release('v1', true)
  const r = await deploy()
  if (r.failed) throw new Error(r.output)
  const debug = checkDebug(r)
  for (const host of hosts) {
    expect(debug).toContain(
      `${host}: no live release: none of 0 record(s) succeeded; previous-ref is empty`
    )
  }
  expect(debug).toContain(`batch 1 of 1 (every host): ${hosts.join(', ')}`)
  expect(debug.some(l => l.startsWith('no rollback: every stage succeeded (release '))).toBe(true)
  expect(summaryText(r.summary).trimStart()).toMatch(/^✔ Deployed: Deployed release \S+ \(1{40}\)/)
})

it(
  'a failed smoke check: the verdict, a bar per stage per host, the last releases, all drawn as GitHub shows them',
  async () => {
    const log = statePaths(APP_DIR).log
    const forged = await fleet.hosts[0].exec([
      'sh',
      '-c',
      'printf "%s\\n" "$1" >> "$2"',
      'sh',
      JSON.stringify(FORGED),
      log
    ])
    expect(forged.code).toBe(0)
    release('v2', false)
    const r = await deploy()
    expect(r.failed).toBe(true)
    expect(r.outputs['rolled-back']).toBe('true')

    const debug = checkDebug(r)
    const v1 = '1'.repeat(40)
    for (const host of hosts) {
      expect(debug.some(l => l.startsWith(`${host}: live release `) && l.includes(`(${v1})`))).toBe(
        true
      )
      expect(
        debug.some(l =>
          new RegExp(
            `^rollback: ${host}: goes back to release \\S+ \\(${v1}\\), the one it ran before this run$`
          ).test(l)
        )
      ).toBe(true)
      // The way back's own choice: the release id the root action named.
      expect(
        debug.some(
          l => l.startsWith(`${host}: live release `) && l.endsWith(': the release with that id')
        )
      ).toBe(true)
    }
    expect(debug.some(l => l.startsWith(`rollback to ${v1} because smoke-check`))).toBe(true)

    const text = summaryText(r.summary).trimStart()
    expect(text.split('\n')[0]).toMatch(/^✘ Failed, rolled back: smoke-check: .*Rolled back/)
    const screenshot = join(tmpdir(), `glance-summary-${process.pid}.png`)
    const drawn = await drawSummary(r.summary, screenshot)
    process.stdout.write(`The summary as GitHub shows it: ${screenshot}\n`)
    expect(statSync(screenshot).size).toBeGreaterThan(10_000)
    expect(drawn.errors).toEqual([])
    expect(drawn.gantts).toHaveLength(1)
    const [gantt] = drawn.gantts
    expect(gantt.sections).toEqual(hosts.map(h => h.replace(/:/g, ' ')))
    // One bar per stage per host: its deploy, the smoke check, its way back; the smoke check failed.
    const labels = gantt.bars.map(b => b.label.trim()).sort()
    expect(labels).toEqual(
      ['rollback ssh-deploy', 'smoke-check', 'ssh-deploy'].flatMap(l => hosts.map(() => l))
    )
    expect(gantt.bars.filter(b => /\bcrit\d/.test(b.classes)).map(b => b.label.trim())).toEqual(
      hosts.map(() => 'smoke-check')
    )
    // Nothing read from the server became markup or Mermaid: its words are text in the history.
    expect(drawn.html).not.toMatch(/<img[^>]*onerror/)
    expect(drawn.html).not.toContain('<script>alert')
    // The history as drawn, newest first: the way back, the failed release, the forged record, the first.
    const history = drawn.tables.find(t => t.heading === `Last releases on ${hosts[0]}`)
    expect(history?.rows[0]).toEqual(['release', 'ref', 'status', 'by', 'when', 'error'])
    const rows = history!.rows.slice(1)
    expect(rows.map(row => [row[1], row[2], row[3]])).toEqual([
      [v1.slice(0, 12), 'succeeded', ACTOR],
      ['2'.repeat(12), 'failed', ACTOR],
      [FORGED.ref.slice(0, 12), 'failed', FORGED.actor],
      [v1.slice(0, 12), 'rolled-back', ACTOR]
    ])
    expect(rows[2][0]).toBe(FORGED.id)
    // As HTML shows text: its line breaks kept (<br>), the spaces that begin a line collapsed.
    expect(rows[2][5]).toBe(FORGED.error.replace(/\n +/g, '\n'))
    expect(rows[1][5]).toMatch(/^smoke-check: /)
  },
  5 * 60_000
)
