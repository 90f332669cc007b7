// Figure 3: one deploy to 1 host and to 8 hosts (sshd on 127.0.0.2-9). The
// hosts' `docker` and `docker-compose` are stubs that answer at once, so the
// figure is deploy-kit's own work and its SSH fan-out, not the engine's.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SshHosts } from '../../testbed/ssh-hosts.js'
import { BenchContext, connectionInputs, progress, Runs, timedDeploy } from './context.js'

export interface Fanout {
  user: string
  one: Runs
  eight: Runs
}

export async function startFanoutHosts(ctx: BenchContext): Promise<SshHosts> {
  const stubs = join(ctx.servers, 'stub-bin')
  mkdirSync(stubs)
  for (const name of ['docker', 'docker-compose']) {
    writeFileSync(join(stubs, name), '#!/bin/sh\nexit 0\n')
    chmodSync(join(stubs, name), 0o755)
  }
  return ctx.hosts(8, [`SetEnv PATH=${stubs}:/usr/bin:/bin`])
}

export async function measureFanout(
  ctx: BenchContext,
  hosts: SshHosts,
  user: string,
  runs: number
): Promise<Fanout> {
  // The hosts share this machine's disk: one app directory, so no lock
  // (it would make the 8 hosts wait for each other) and no wait (no containers).
  const inputs = {
    'app-dir': ctx.dir(`fanout-${user}`),
    source: 'none',
    lock: 'false',
    wait: 'false',
    'pre-deploy': 'test -d .',
    'post-deploy': 'echo deployed'
  }
  const one = new Runs()
  const eight = new Runs()
  // One untimed round of each first, then they take turns.
  for (let i = 0; i <= runs; i++) {
    progress(`fan-out as ${user}: round ${i === 0 ? 'warm-up' : `${i} of ${runs}`}`)
    const a = await timedDeploy({ ...connectionInputs(hosts, 1, user), ...inputs })
    const b = await timedDeploy({ ...connectionInputs(hosts, 8, user), ...inputs })
    if (i === 0) continue
    one.add(a.run, a.ms)
    eight.add(b.run, b.ms)
  }
  return { user, one, eight }
}
