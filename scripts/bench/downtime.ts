// Figure 1: requests through nginx while the backend gets a new image, with
// strategy: recreate and with strategy: rolling, on the same app and proxy.
import { httpText } from '../../testbed/apps.js'
import { freePort } from '../../testbed/ports.js'
import { SshHosts } from '../../testbed/ssh-hosts.js'
import { BenchContext, connectionInputs, mustSucceed, progress, timedDeploy } from './context.js'
import { LoadResult, startLoad } from './load.js'
import { writeRollingApp } from './rolling-app.js'

export type Strategy = 'recreate' | 'rolling'

export interface DowntimeRound {
  strategy: Strategy
  version: string
  load: LoadResult
  deployMs: number
  /** What the proxy serves after the deploy. */
  served: string
}

export async function measureDowntime(
  ctx: BenchContext,
  hosts: SshHosts,
  rounds: number
): Promise<DowntimeRound[]> {
  const project = ctx.project('down')
  const proxyPort = await freePort()
  const url = `http://127.0.0.1:${proxyPort}/version.txt`
  // nginx re-resolves the backend every second, so a recreated container is
  // found again without a reload: recreate is measured at its best.
  const app = writeRollingApp(ctx.dir('down'), { proxyPort, mode: 'resolver' })
  const base = {
    // As root, like the tests: this figure is about requests, not the transport.
    ...connectionInputs(hosts, 1, 'root'),
    'app-dir': app.dir,
    'project-name': project,
    source: 'none',
    build: 'true',
    'wait-timeout': '120'
  }
  progress('downtime: first deploy of the app (nginx + backend v1)')
  mustSucceed('first deploy', (await timedDeploy(base)).run)
  if ((await httpText(url)) !== 'v1\n') throw new Error(`${url} does not serve v1`)

  const results: DowntimeRound[] = []
  let n = 1
  for (let round = 0; round < rounds; round++) {
    for (const strategy of ['recreate', 'rolling'] as const) {
      const version = `v${++n}`
      app.setVersion(version)
      progress(`downtime: ${strategy} deploy of ${version} under load`)
      const load = startLoad(url, { concurrency: 4, maxRequests: 60_000, maxMs: 240_000 })
      const { run, ms } = await timedDeploy({
        ...base,
        strategy,
        services: 'backend',
        ...(strategy === 'rolling' ? { 'proxy-service': 'proxy', 'stop-grace-period': '5' } : {})
      })
      const result = await load.stop()
      mustSucceed(`${strategy} deploy of ${version}`, run)
      results.push({ strategy, version, load: result, deployMs: ms, served: await httpText(url) })
    }
  }
  return results
}

export function sumRounds(rounds: readonly DowntimeRound[], strategy: Strategy) {
  const mine = rounds.filter(r => r.strategy === strategy)
  return {
    deploys: mine.length,
    requests: mine.reduce((a, r) => a + r.load.requests, 0),
    failed: mine.reduce((a, r) => a + r.load.failed, 0),
    longestGapMs: Math.max(0, ...mine.map(r => r.load.longestGapMs)),
    firstFailure: mine.find(r => r.load.firstFailure)?.load.firstFailure ?? '',
    allServedNew: mine.every(r => r.served === `${r.version}\n`)
  }
}
