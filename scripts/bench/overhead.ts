// Figure 2: a deploy that changes nothing, by ssh-deploy, against the very
// commands it sends (recorded by a ForceCommand on a second sshd) replayed in
// one plain OpenSSH session.
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { run } from '../../testbed/run.js'
import { SshHosts } from '../../testbed/ssh-hosts.js'
import { quote } from '../../src/core/shell.js'
import { commandRoundTrip } from './round-trip.js'
import {
  BENCH_USER,
  BenchContext,
  connectionInputs,
  median,
  opensshArgs,
  prepare,
  progress,
  Runs,
  timedDeploy
} from './context.js'
import { BUSYBOX_IMAGE } from './rolling-app.js'

export interface Overhead {
  deploys: Runs
  sshMs: number
  commands: number
  /** One trivial command on an open connection, with ssh2's defaults and with TCP_NODELAY. */
  perCommandMs: { nagle: number; noDelay: number }
}

// sshd runs this instead of each command: it keeps the command and its input, then runs it.
export const RECORDER = `#!/bin/sh
rec="$RECORD_DIR/$(date +%s%N)"
printf '%s' "$SSH_ORIGINAL_COMMAND" > "$rec.cmd"
cat > "$rec.in"
exec sh -c "$SSH_ORIGINAL_COMMAND" < "$rec.in"
`

/** A one-service app with a healthcheck: what the no-change deploys deploy. */
export function composeText(): string {
  return `version: "2.4"
services:
  web:
    image: ${BUSYBOX_IMAGE}
    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/health.txt && httpd -f -p 8080 -h /www & trap 'kill $$!; exit 0' TERM; wait"]
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health.txt"]
      interval: 1s
      timeout: 2s
      retries: 3
`
}

/** What RECORDER kept, in the order the commands started. */
export function recordedCommands(dir: string): { cmd: string; input: Buffer }[] {
  return readdirSync(dir)
    .filter(f => f.endsWith('.cmd'))
    .sort()
    .map(name => ({
      cmd: readFileSync(join(dir, name), 'utf8'),
      input: readFileSync(join(dir, name.replace(/\.cmd$/, '.in')))
    }))
}

/** One shell script that runs every recorded command in order, each with the input it had. */
function replayScript(dir: string): { script: string; commands: number } {
  const recorded = recordedCommands(dir)
  const lines = recorded.map(({ cmd, input }) => {
    return input.length
      ? `printf %s ${input.toString('base64')} | base64 -d | sh -c ${quote(cmd)}`
      : `sh -c ${quote(cmd)} </dev/null`
  })
  return { script: lines.join('\n') + '\n', commands: recorded.length }
}

export async function measureOverhead(
  ctx: BenchContext,
  hosts: SshHosts,
  runs: number
): Promise<Overhead> {
  const appDir = ctx.dir('noop')
  writeFileSync(join(appDir, 'docker-compose.yml'), composeText())
  const inputs = { 'app-dir': appDir, 'project-name': ctx.project('noop'), source: 'none' }
  progress('overhead: first deploy of a one-service app')
  await prepare('first deploy', { ...connectionInputs(hosts), ...inputs })

  const recordDir = ctx.dir('recorded')
  const recorderPath = join(ctx.servers, 'record-command')
  writeFileSync(recorderPath, RECORDER)
  chmodSync(recorderPath, 0o755)
  const recorder = await ctx.hosts(1, [
    `SetEnv RECORD_DIR=${recordDir}`,
    `ForceCommand ${recorderPath}`
  ])
  progress('overhead: recording the commands of a no-change deploy')
  await prepare('recorded deploy', { ...connectionInputs(recorder), ...inputs }, () => {
    for (const f of readdirSync(recordDir)) rmSync(join(recordDir, f))
  })
  const { script, commands } = replayScript(recordDir)

  const server = hosts.servers[0]
  const knownHosts = join(ctx.servers, 'known_hosts')
  writeFileSync(knownHosts, hosts.knownHosts() + '\n')
  const ssh = opensshArgs(hosts, server, BENCH_USER, knownHosts, 'sh -s')
  const deploys = new Runs()
  const sshMs: number[] = []
  // One untimed round of each first, then they take turns.
  for (let i = 0; i <= runs; i++) {
    progress(`overhead: round ${i === 0 ? 'warm-up' : `${i} of ${runs}`}`)
    const d = await timedDeploy({ ...connectionInputs(hosts), ...inputs })
    const started = performance.now()
    const replay = await run('ssh', ssh, { input: script })
    const ms = performance.now() - started
    if (replay.code !== 0) throw new Error(`ssh replay failed (${replay.code}): ${replay.stderr}`)
    if (i === 0) continue
    deploys.add(d.run, d.ms)
    sshMs.push(ms)
  }
  progress('overhead: one command at a time over ssh2, with and without Nagle')
  const perCommandMs = await commandRoundTrip(server, BENCH_USER, hosts.key.privateKey, 20)
  return { deploys, sshMs: median(sshMs), commands, perCommandMs }
}
