// npm run bench: starts the testbed (sshd on loopback, the Docker engine, the
// fleet's hosts), measures the figures against baselines taken in the same
// run, prints them, and stops everything it started. Needs root, as the tests
// do. `npm run bench -- fleet overhead` measures only the figures named.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { ensureDocker, stopDocker } from '../../testbed/docker.js'
import { ensureBaseImages } from '../../testbed/images.js'
import { node24 } from '../../testbed/node24.js'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { measureColdStart } from './cold-start.js'
import { BenchContext, progress } from './context.js'
import { measureDowntime } from './downtime.js'
import { measureFleet } from './fleet.js'
import { measureOverhead } from './overhead.js'
import { measureBackupProof } from './backup-proof.js'
import { measureSeed004 } from './seed-004.js'
import { Figures, machine, report } from './report.js'

const DOWNTIME_ROUNDS = 2
const OVERHEAD_RUNS = 5
const FLEET_RUNS = 7
const COLD_START_RUNS = 7
const BACKUP_PROOF_RUNS = 2
const SEED_004_RUNS = 5

const FIGURES = ['downtime', 'overhead', 'fleet', 'cold-start', 'backup-proof', 'seed-004'] as const
type Figure = (typeof FIGURES)[number]

function chosenFigures(args: string[]): Set<Figure> {
  const unknown = args.filter(a => !(FIGURES as readonly string[]).includes(a))
  if (unknown.length > 0) {
    throw new Error(`unknown figure ${unknown.join(', ')}: choose from ${FIGURES.join(', ')}`)
  }
  return new Set(args.length > 0 ? (args as Figure[]) : FIGURES)
}

async function main(): Promise<void> {
  const started = Date.now()
  const chosen = chosenFigures(process.argv.slice(2))
  ensurePrerequisites()
  if (!existsSync('dist/ssh-deploy/index.js')) {
    execFileSync('node', ['scripts/build.mjs', 'ssh-deploy'], { stdio: 'inherit' })
  }
  progress(`Node 24 at ${node24()}`)
  const { startedPid } = await ensureDocker()
  const ctx = new BenchContext()
  const stop = async () => {
    await ctx.cleanup()
    if (startedPid) await stopDocker(startedPid)
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping what the bench started`)
      void stop().finally(() => process.exit(130))
    })
  }
  try {
    await ensureBaseImages()
    if (chosen.has('overhead')) ctx.prepareUser()
    const hosts = chosen.has('overhead') || chosen.has('downtime') ? await ctx.hosts(1) : undefined
    const figures: Figures = {}
    if (chosen.has('cold-start')) figures.coldStart = await measureColdStart(COLD_START_RUNS)
    if (chosen.has('fleet')) figures.fleet = await measureFleet(ctx, FLEET_RUNS)
    if (hosts && chosen.has('overhead')) {
      figures.overhead = await measureOverhead(ctx, hosts, OVERHEAD_RUNS)
    }
    if (hosts && chosen.has('downtime')) {
      figures.downtime = await measureDowntime(ctx, hosts, DOWNTIME_ROUNDS)
    }
    if (chosen.has('backup-proof'))
      figures.backupProof = await measureBackupProof(ctx, BACKUP_PROOF_RUNS)
    if (chosen.has('seed-004')) figures.seed004 = await measureSeed004(ctx, SEED_004_RUNS)
    console.log([...machine(), '', report(figures)].join('\n'))
  } finally {
    await stop()
    progress(`done in ${Math.round((Date.now() - started) / 1000)} s`)
  }
}

await main()
