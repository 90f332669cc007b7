// npm run bench: starts the testbed (sshd on loopback, the Docker engine),
// measures the four figures against baselines taken in the same run, prints
// them, and stops everything it started. Needs root, as the tests do.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { ensureDocker, stopDocker } from '../../testbed/docker.js'
import { ensureBaseImages } from '../../testbed/images.js'
import { node24 } from '../../testbed/node24.js'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { measureColdStart } from './cold-start.js'
import { BENCH_USER, BenchContext, progress } from './context.js'
import { measureDowntime } from './downtime.js'
import { measureFanout, startFanoutHosts } from './fanout.js'
import { measureOverhead } from './overhead.js'
import { machine, report } from './report.js'

const DOWNTIME_ROUNDS = 2
const OVERHEAD_RUNS = 5
const FANOUT_RUNS = 7
const COLD_START_RUNS = 7

async function main(): Promise<void> {
  const started = Date.now()
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
    ctx.prepareUser()
    const hosts = await ctx.hosts(1)
    const coldStart = await measureColdStart(COLD_START_RUNS)
    const fanoutHosts = await startFanoutHosts(ctx)
    const fanout = [
      await measureFanout(ctx, fanoutHosts, BENCH_USER, FANOUT_RUNS),
      await measureFanout(ctx, fanoutHosts, 'root', FANOUT_RUNS)
    ]
    const overhead = await measureOverhead(ctx, hosts, OVERHEAD_RUNS)
    const downtime = await measureDowntime(ctx, hosts, DOWNTIME_ROUNDS)
    console.log([...machine(), '', report({ downtime, overhead, fanout, coldStart })].join('\n'))
  } finally {
    await stop()
    progress(`done in ${Math.round((Date.now() - started) / 1000)} s`)
  }
}

await main()
