// The printed result: the machine, a table, and one line per figure.
import { spawnSync } from 'node:child_process'
import { cpus, release, totalmem } from 'node:os'
import { node24 } from '../../testbed/node24.js'
import { ColdStart } from './cold-start.js'
import { DowntimeRound, sumRounds } from './downtime.js'
import { median, Runs } from './context.js'
import { Fanout } from './fanout.js'
import { Overhead } from './overhead.js'

export interface Figures {
  downtime: DowntimeRound[]
  overhead: Overhead
  fanout: Fanout[]
  coldStart: ColdStart
}

const s = (ms: number) => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`)
const x = (ratio: number) => `${ratio.toFixed(2)}x`
const ms = (n: number) => `${n.toFixed(1)} ms`
const count = (n: number) => n.toLocaleString('en-US')
const kib = (bytes: number) => `${count(Math.round(bytes / 1024))} KiB`
const met = (ok: boolean) => (ok ? 'met' : 'not met')

function version(cmd: string, args: string[]): string {
  // OpenSSH prints its version on stderr.
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] || 'unknown'
}

export function machine(): string[] {
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}`,
    `node (bundles): ${version(node24(), ['--version'])}; ` +
      `docker: ${version('docker', ['version', '--format', '{{.Server.Version}}'])}; ` +
      `${version('docker-compose', ['version', '--short'])} (docker-compose); ` +
      `${version('ssh', ['-V'])}`
  ]
}

function failures(what: string, runs: Runs): string {
  if (runs.failures.length === 0) return ''
  return `; ${runs.failures.length} of ${runs.count} ${what} failed, first: ${runs.failures[0]}`
}

export function report(f: Figures): string {
  const recreate = sumRounds(f.downtime, 'recreate')
  const rolling = sumRounds(f.downtime, 'rolling')
  const deployMs = median(f.overhead.deploys.ms)
  const overhead = deployMs / f.overhead.sshMs
  const fanouts = f.fanout.map(fo => {
    const oneMs = median(fo.one.ms)
    const eightMs = median(fo.eight.ms)
    return { ...fo, oneMs, eightMs, ratio: eightMs / oneMs }
  })
  const cold = f.coldStart.bundleMs / f.coldStart.bareNodeMs
  const bundles = Object.entries(f.coldStart.bundles)
  const bundleTotal = bundles.reduce((a, [, size]) => a + size, 0)
  const gap = (r: typeof recreate) => `longest gap ${count(Math.round(r.longestGapMs))} ms`
  const rows = [
    ['figure', 'deploy-kit', 'baseline (same run)', 'result', 'goal'],
    [
      'downtime',
      `rolling: ${count(rolling.failed)} failed of ${count(rolling.requests)}, ${gap(rolling)}`,
      `recreate: ${count(recreate.failed)} failed of ${count(recreate.requests)}, ${gap(recreate)}`,
      `${count(rolling.failed)} vs ${count(recreate.failed)} failed requests`,
      `rolling 0 failed of >= 2,000: ${met(rolling.failed === 0 && rolling.requests >= 2000)}`
    ],
    [
      'overhead',
      `ssh-deploy no-change deploy ${s(deployMs)}`,
      `the same ${f.overhead.commands} commands in one OpenSSH session ${s(f.overhead.sshMs)}`,
      x(overhead),
      `<= 1.2x: ${met(overhead <= 1.2)}`
    ],
    ...fanouts.map(fo => [
      `fan-out as ${fo.user}`,
      `8 hosts ${s(fo.eightMs)}` +
        (fo.eight.failures.length
          ? ` (${fo.eight.failures.length} of ${fo.eight.count} failed)`
          : ''),
      `1 host ${s(fo.oneMs)}` +
        (fo.one.failures.length ? ` (${fo.one.failures.length} of ${fo.one.count} failed)` : ''),
      x(fo.ratio),
      `<= 1.5x: ${met(fo.ratio <= 1.5 && fo.eight.failures.length === 0)}`
    ]),
    [
      'cold start',
      `first SSH packet after ${Math.round(f.coldStart.bundleMs)} ms`,
      `bare Node 24 ${Math.round(f.coldStart.bareNodeMs)} ms`,
      x(cold),
      '-'
    ],
    [
      'bundle size',
      `dist/ssh-deploy/index.js ${kib(f.coldStart.bundles['ssh-deploy'] ?? 0)}`,
      `all ${bundles.length} bundles ${kib(bundleTotal)}`,
      kib(f.coldStart.bundles['ssh-deploy'] ?? 0),
      '-'
    ]
  ]
  const table = [rows[0], rows[0].map(() => '---'), ...rows.slice(1)].map(
    r => `| ${r.join(' | ')} |`
  )
  const lines = [
    `downtime: rolling ${count(rolling.failed)} failed / ${count(rolling.requests)} requests ` +
      `(${gap(rolling)}) over ${rolling.deploys} deploys; recreate ${count(recreate.failed)} failed / ` +
      `${count(recreate.requests)} (${gap(recreate)}) over ${recreate.deploys} deploys` +
      (recreate.firstFailure ? `; recreate's first failure: ${recreate.firstFailure}` : '') +
      (rolling.allServedNew && recreate.allServedNew
        ? ''
        : '; a deploy did not end on its version'),
    `overhead: ${x(overhead)} (ssh-deploy ${s(deployMs)} / OpenSSH ${s(f.overhead.sshMs)}, ` +
      `${f.overhead.commands} remote commands, median of ${f.overhead.deploys.ms.length}); one command on an open ` +
      `connection: ${ms(f.overhead.perCommandMs.nagle)} with ssh2's default socket, ` +
      `${ms(f.overhead.perCommandMs.noDelay)} with TCP_NODELAY` +
      failures('no-change deploys', f.overhead.deploys),
    ...fanouts.map(
      fo =>
        `fan-out as ${fo.user}: ${x(fo.ratio)} (8 hosts ${s(fo.eightMs)} / 1 host ${s(fo.oneMs)}, ` +
        `median of ${fo.eight.ms.length} and ${fo.one.ms.length})` +
        failures('8-host deploys', fo.eight) +
        failures('1-host deploys', fo.one)
    ),
    `cold start: ${x(cold)} (first SSH packet after ${Math.round(f.coldStart.bundleMs)} ms / bare Node 24 ` +
      `${Math.round(f.coldStart.bareNodeMs)} ms, median of ${f.coldStart.runs}); bundles: ` +
      bundles.map(([name, size]) => `${name} ${kib(size)}`).join(', ')
  ]
  return [...table, '', ...lines].join('\n')
}
