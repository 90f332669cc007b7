// The printed result: the machine, a table, and one line per figure.
import { spawnSync } from 'node:child_process'
import { cpus, release, totalmem } from 'node:os'
import { node24 } from '../../testbed/node24.js'
import { ColdStart } from './cold-start.js'
import { DowntimeRound, sumRounds } from './downtime.js'
import { median, Runs } from './context.js'
import { FLEET_SIZE, FleetFigures } from './fleet.js'
import { Overhead } from './overhead.js'
import { BackupProof, backupProofSummary } from './backup-proof.js'
import { Seed004, STAGES } from './seed-004.js'

export interface Figures {
  downtime?: DowntimeRound[]
  overhead?: Overhead
  fleet?: FleetFigures
  coldStart?: ColdStart
  backupProof?: BackupProof
  seed004?: Seed004
}

const s = (ms: number) => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`)
const x = (ratio: number) => `${ratio.toFixed(2)}x`
const ms = (n: number) => `${n.toFixed(1)} ms`
const count = (n: number) => n.toLocaleString('en-US')
const kib = (bytes: number) => `${count(Math.round(bytes / 1024))} KiB`
const mib = (bytes: number) => `${count(Math.round(bytes / 2 ** 20))} MiB`
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

type Row = [figure: string, deployKit: string, baseline: string, result: string, goal: string]

function downtimeFigure(rounds: DowntimeRound[]): { rows: Row[]; lines: string[] } {
  const recreate = sumRounds(rounds, 'recreate')
  const rolling = sumRounds(rounds, 'rolling')
  const gap = (r: typeof recreate) => `longest gap ${count(Math.round(r.longestGapMs))} ms`
  return {
    rows: [
      [
        'downtime',
        `rolling: ${count(rolling.failed)} failed of ${count(rolling.requests)}, ${gap(rolling)}`,
        `recreate: ${count(recreate.failed)} failed of ${count(recreate.requests)}, ${gap(recreate)}`,
        `${count(rolling.failed)} vs ${count(recreate.failed)} failed requests`,
        `rolling 0 failed of >= 2,000: ${met(rolling.failed === 0 && rolling.requests >= 2000)}`
      ]
    ],
    lines: [
      `downtime: rolling ${count(rolling.failed)} failed / ${count(rolling.requests)} requests ` +
        `(${gap(rolling)}) over ${rolling.deploys} deploys; recreate ${count(recreate.failed)} failed / ` +
        `${count(recreate.requests)} (${gap(recreate)}) over ${recreate.deploys} deploys` +
        (recreate.firstFailure ? `; recreate's first failure: ${recreate.firstFailure}` : '') +
        (rolling.allServedNew && recreate.allServedNew
          ? ''
          : '; a deploy did not end on its version')
    ]
  }
}

function overheadFigure(o: Overhead): { rows: Row[]; lines: string[] } {
  const deployMs = median(o.deploys.ms)
  const ratio = deployMs / o.sshMs
  return {
    rows: [
      [
        'overhead',
        `ssh-deploy no-change deploy ${s(deployMs)}`,
        `the same ${o.commands} commands in one OpenSSH session ${s(o.sshMs)}`,
        x(ratio),
        `<= 1.2x: ${met(ratio <= 1.2)}`
      ]
    ],
    lines: [
      `overhead: ${x(ratio)} (ssh-deploy ${s(deployMs)} / OpenSSH ${s(o.sshMs)}, ` +
        `${o.commands} remote commands, median of ${o.deploys.ms.length}); one command on an open ` +
        `connection: ${ms(o.perCommandMs.nagle)} with ssh2's default socket, ` +
        `${ms(o.perCommandMs.noDelay)} with TCP_NODELAY` +
        failures('no-change deploys', o.deploys)
    ]
  }
}

/** "12" when every run agrees, "11-14" when they do not. */
function spread(values: number[]): string {
  if (values.length === 0) return 'n/a'
  const [lo, hi] = [Math.min(...values), Math.max(...values)]
  return lo === hi ? count(lo) : `${count(lo)}-${count(hi)}`
}

function fleetFigure(f: FleetFigures): { rows: Row[]; lines: string[] } {
  const oneMs = median(f.one.ms)
  const eightMs = median(f.eight.ms)
  const fanout = eightMs / oneMs
  const sshMs = median(f.sshTrueMs)
  const roundTrips = oneMs / sshMs
  const link = `${f.delayMs * 2} ms round-trip links`
  const ran = (runs: Runs) =>
    runs.failures.length ? ` (${runs.failures.length} of ${runs.count} failed)` : ''
  const start = f.start
  const bareMs = median(f.noDelay.one.ms)
  const bareSshMs = median(f.noDelay.sshTrueMs)
  const turns = median(f.deployTurns)
  return {
    rows: [
      [
        `fan-out, ${link}`,
        `${FLEET_SIZE} hosts ${s(eightMs)}${ran(f.eight)}`,
        `1 host ${s(oneMs)}${ran(f.one)}`,
        x(fanout),
        `<= 1.3x: ${met(fanout <= 1.3 && f.eight.failures.length === 0)}`
      ],
      [
        `no-change deploy, ${f.delayMs * 2} ms link`,
        `${s(oneMs)}, ${spread(f.deployCommands)} commands, ${spread(f.deployTurns)} round trips`,
        `ssh host true ${s(sshMs)}, ${spread(f.sshTrueCommands)} command, ` +
          `${spread(f.sshTrueTurns)} round trips`,
        x(roundTrips),
        `<= 2x: ${met(roundTrips <= 2 && f.one.failures.length === 0)}`
      ]
    ],
    lines: [
      `fleet: ${start.hosts} hosts (own namespace, sshd, engine, disk) started in ${s(start.ms)}; ` +
        `memory of their processes ${mib(start.memory.pss)} (PSS; RSS summed ${mib(start.memory.rss)}), ` +
        `with the app's container up on each ${mib(start.withApp.pss)} (${mib(start.withApp.rss)})`,
      `fan-out: ${x(fanout)} (${FLEET_SIZE} hosts ${s(eightMs)} / 1 host ${s(oneMs)}, ` +
        `median of ${f.eight.ms.length} and ${f.one.ms.length}, over ${link})` +
        failures(`${FLEET_SIZE}-host deploys`, f.eight) +
        failures('1-host deploys', f.one),
      `no-change deploy: ${x(roundTrips)} (ssh-deploy ${s(oneMs)} / ssh host true ${s(sshMs)}, ` +
        `median of ${f.one.ms.length} and ${f.sshTrueMs.length}); per run, commands the host's sshd ` +
        `started: ${f.deployCommands.join(', ')} (ssh true: ${f.sshTrueCommands.join(', ')}); ` +
        `round trips on the link: ${f.deployTurns.join(', ')} (ssh true: ${f.sshTrueTurns.join(', ')})`,
      `one connection's fixed cost: ssh2 connecting and running true took ${s(median(f.ssh2True.ms))}, ` +
        `${spread(f.ssh2True.turns)} round trips`,
      `the link's share: the same deploy with the relay's delay set to 0 took ${s(bareMs)} ` +
        `(ssh host true ${s(bareSshMs)}), so ${s(oneMs - bareMs)} of ${s(oneMs)} is the link; ` +
        `${count(turns)} round trips at ${f.delayMs * 2} ms are ${s(turns * f.delayMs * 2)}` +
        failures('deploys without delay', f.noDelay.one),
      `the ${f.recorded.length} commands of a no-change deploy, as the server received them:`,
      ...f.recorded.map((cmd, i) => `  ${i + 1}. ${cmd}`)
    ]
  }
}

function coldStartFigure(c: ColdStart): { rows: Row[]; lines: string[] } {
  const ratio = c.bundleMs / c.bareNodeMs
  const bundles = Object.entries(c.bundles)
  const bundleTotal = bundles.reduce((a, [, size]) => a + size, 0)
  return {
    rows: [
      [
        'cold start',
        `first SSH packet after ${Math.round(c.bundleMs)} ms`,
        `bare Node 24 ${Math.round(c.bareNodeMs)} ms`,
        x(ratio),
        '-'
      ],
      [
        'bundle size',
        `dist/ssh-deploy/index.js ${kib(c.bundles['ssh-deploy'] ?? 0)}`,
        `all ${bundles.length} bundles ${kib(bundleTotal)}`,
        kib(c.bundles['ssh-deploy'] ?? 0),
        '-'
      ]
    ],
    lines: [
      `cold start: ${x(ratio)} (first SSH packet after ${Math.round(c.bundleMs)} ms / bare Node 24 ` +
        `${Math.round(c.bareNodeMs)} ms, median of ${c.runs}); bundles: ` +
        bundles.map(([name, size]) => `${name} ${kib(size)}`).join(', ')
    ]
  }
}

function backupProofFigure(f: BackupProof): { rows: Row[]; lines: string[] } {
  const { dump, proven, proof } = backupProofSummary(f)
  return {
    rows: [
      [
        'backup proven by a restore',
        `backup-verify: restore ${s(proven)} (the proof ${s(proof)}), dump ${mib(f.dumpBytes)} gzip`,
        `backup-verify: integrity ${s(dump)}`,
        x(proven / dump),
        '-'
      ]
    ],
    lines: [
      `backup proven by a restore: ${x(proven / dump)} (${s(proven)} / ${s(dump)}, median of ` +
        `${f.provenMs.length}); database ${mib(f.databaseBytes)} (${count(f.rows)} generated rows ` +
        `beside the app's tables), dump ${count(f.dumpBytes)} bytes gzip, ${f.tables} tables compared; ` +
        `the proof alone (create, restore, count, drop) ${s(proof)}`
    ]
  }
}

function seed004Figure(f: Seed004): { rows: Row[]; lines: string[] } {
  const deploy = median(f.deployMs)
  const runbook = median(f.runbookMs)
  const proof = median(f.proofSeconds) * 1000
  const backup = median(f.backupBytes)
  const each = (values: number[]) => values.map(v => s(v)).join(', ')
  return {
    rows: [
      [
        'seed 004, a new commit with a migration',
        `whole deploy ${s(deploy)} (backup of ${count(backup)} bytes gzip, its proof ${s(proof)})`,
        `the runbook over one ssh ${s(runbook)}`,
        x(deploy / runbook),
        '-'
      ]
    ],
    lines: [
      `seed 004: ${x(deploy / runbook)} (root action ${s(deploy)} / runbook's git pull, ` +
        `up -d --build, alembic upgrade head over one ssh ${s(runbook)}, median of ` +
        `${f.deployMs.length} and ${f.runbookMs.length}, in turns); whole deploys ${each(f.deployMs)}, ` +
        `runbook ${each(f.runbookMs)}; what only the whole deploy does: checks before any ` +
        `change, lock, release log, the settle wait (wait-stable), a pg_dump of ${count(backup)} ` +
        `bytes gzip proven by a restore (${f.tables} tables, ${s(proof)}), the smoke check; ` +
        `revisions at the end: ` +
        `${f.revisions.deploy} and ${f.revisions.runbook}`,
      `seed 004's whole deploy by stage (medians): ` +
        STAGES.map(stage => `${stage} ${s(median(f.stages[stage]))}`).join(', ')
    ]
  }
}

export function report(f: Figures): string {
  const parts = [
    f.downtime && downtimeFigure(f.downtime),
    f.overhead && overheadFigure(f.overhead),
    f.fleet && fleetFigure(f.fleet),
    f.coldStart && coldStartFigure(f.coldStart),
    f.backupProof && backupProofFigure(f.backupProof),
    f.seed004 && seed004Figure(f.seed004)
  ].filter(part => part !== undefined)
  const header: Row = ['figure', 'deploy-kit', 'baseline (same run)', 'result', 'goal']
  const rows = [header, header.map(() => '---'), ...parts.flatMap(p => p.rows)]
  const table = rows.map(r => `| ${r.join(' | ')} |`)
  return [...table, '', ...parts.flatMap(p => p.lines)].join('\n')
}
