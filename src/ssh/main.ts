import * as core from '@actions/core'
import { scriptCommand } from '../commands/remote-script.js'
import { StageResult } from '../core/entry.js'
import { forEachHost, HostContext, HostOutcome } from '../core/fleet.js'
import { summaryRow } from '../core/html.js'
import { group, remoteLineLog } from '../core/log.js'
import { maskSecrets } from '../core/secrets.js'
import { ExecResult } from '../core/ssh-session.js'
import { SshSettings } from './settings.js'

/** What the script did on one host that could be reached. */
export interface ScriptOutcome {
  code: number | null
  signal: string | null
  timedOut: boolean
  stdout: string
}

export interface SshResult extends StageResult {
  outcomes: HostOutcome<ScriptOutcome>[]
  capture: boolean
}

function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
}

/** One host's result in words: its exit code, or why it has none. */
export function hostVerdict(o: HostOutcome<ScriptOutcome>, s: SshSettings): string {
  if (!o.ok || !o.value) {
    const error = o.error ?? 'failed'
    // A connection error names its host already.
    return error.startsWith(`${o.host}: `) ? error.slice(o.host.length + 2) : error
  }
  const { code, signal, timedOut } = o.value
  if (timedOut)
    return `timed out after ${durationText(s.timeoutMs)}: the script and its processes were stopped partway`
  if (signal) return `killed by signal ${signal}: the script stopped partway`
  if (code === 0) return 'exit code 0'
  const partway = s.stop
    ? ' (set -eu: the first failing command ends the script; none after it ran)'
    : ''
  return `exit code ${code}${partway}`
}

function succeeded(o: HostOutcome<ScriptOutcome>): boolean {
  return o.ok && o.value?.code === 0 && !o.value.timedOut
}

async function runOnHost(
  host: HostContext,
  s: SshSettings,
  several: boolean
): Promise<ScriptOutcome> {
  const prefix = several ? `[${host.label}] ` : ''
  const names = Object.keys(s.env)
  host.info(
    `running ${s.scriptSource === 'script' ? 'the script' : s.scriptSource} with ${s.shell}` +
      (s.stop ? ' (set -eu: the first failing command ends it)' : '') +
      (names.length ? `; forwarded: ${names.join(', ')}` : '')
  )
  const out = remoteLineLog(prefix)
  const err = remoteLineLog(prefix)
  let result: ExecResult
  try {
    result = await host.transport.exec(scriptCommand(s), {
      timeoutMs: s.timeoutMs,
      onStdout: c => out.push(c),
      onStderr: c => err.push(c)
    })
  } finally {
    out.flush()
    err.flush()
  }
  return {
    code: result.code,
    signal: result.signal,
    timedOut: result.timedOut,
    stdout: result.stdout
  }
}

/** Output as `$(…)` gives it: trailing newlines off, and deploy-kit's registered secrets masked as in the log. */
function captured(stdout: string): string {
  return maskSecrets(stdout.replace(/\n+$/, ''))
}

/** The `stdout` output: one host's text, or a JSON object host → text for several (hosts that ran). */
export function stdoutOutput(outcomes: readonly HostOutcome<ScriptOutcome>[]): string {
  if (outcomes.length === 1) return captured(outcomes[0].value?.stdout ?? '')
  return JSON.stringify(
    Object.fromEntries(
      outcomes.filter(o => o.value).map(o => [o.host, captured(o.value?.stdout ?? '')])
    )
  )
}

export async function run(s: SshSettings): Promise<SshResult> {
  const several = s.connection.targets.length > 1
  const outcomes = await forEachHost(s.connection, host =>
    group(`${host.label}: script`, () => runOnHost(host, s, several), !several)
  )
  await core.summary
    .addHeading('ssh', 2)
    .addTable([
      [
        { data: 'host', header: true },
        { data: 'result', header: true },
        { data: 'exit code', header: true }
      ],
      ...outcomes.map(o =>
        summaryRow([
          o.host,
          succeeded(o) ? '✅' : `❌ ${hostVerdict(o, s)}`,
          o.value?.code === null || o.value?.code === undefined ? '' : String(o.value.code)
        ])
      )
    ])
    .write()
  const failed = outcomes.filter(o => !succeeded(o))
  const lines = outcomes.map(o => `${o.host}: ${hostVerdict(o, s)}`)
  const message = failed.length
    ? `the script failed on ${failed.length} of ${outcomes.length} host(s):\n${lines.join('\n')}`
    : `the script exited 0 on ${outcomes.map(o => o.host).join(', ')}`
  return { ok: failed.length === 0, message, outcomes, capture: s.capture }
}

export function setOutputs(result: SshResult): void {
  if (result.capture) core.setOutput('stdout', stdoutOutput(result.outcomes))
}
