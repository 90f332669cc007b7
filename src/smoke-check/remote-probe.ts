import { randomBytes } from 'node:crypto'
import { posix } from 'node:path'
import { AppSettings, composeCommand, detectCompose, projectFor } from '../core/compose.js'
import { errorMessage } from '../core/errors.js'
import type { HostContext } from '../core/fleet.js'
import type { RemoteCommand } from '../core/remote-command.js'
import type { ExecResult } from '../core/ssh-session.js'
import { parseProbeOutput, probeArgv } from './http-probe-commands.js'
import type { Probe, ProbeResponse } from './probe.js'
import { firstRequest } from './redirects.js'
import type { From, SmokeSettings } from './settings.js'
import { hideUrlIn } from './target-url.js'

/** Time on top of the request timeout for SSH and `docker-compose exec` to start and stop. */
const EXEC_GRACE_MS = 5000

export type Placement = (argv: string[]) => RemoteCommand

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? ''
}

/**
 * Where the probe runs: on the server itself, or inside a running Compose
 * service (`compose exec -T`), found in app-dir or, after an upload deploy,
 * in app-dir/current.
 */
export async function placeProbe(
  host: HostContext,
  from: From,
  app: AppSettings | undefined
): Promise<Placement> {
  if (from.kind !== 'container') return argv => ({ argv })
  if (!app) throw new Error('from: container needs app-dir')
  if ((await host.run({ argv: ['test', '-d', app.appDir] }, { quiet: true })).code !== 0) {
    throw new Error(`app-dir ${app.appDir} does not exist on the server`)
  }
  const binary = await detectCompose(host, app.composeChoice)
  const current = posix.join(app.appDir, 'current')
  const hasCurrent = (await host.run({ argv: ['test', '-d', current] }, { quiet: true })).code === 0
  const project = projectFor(app, binary, hasCurrent ? current : app.appDir)
  // `docker-compose exec -T` (v1) exits 1 without a word for an unknown service: ask first.
  const config = await host.run(composeCommand(project, ['config', '--services']), { quiet: true })
  if (config.code !== 0) {
    throw new Error(`cannot read the Compose project in ${project.dir}: ${lastLine(config.stderr)}`)
  }
  const services = config.stdout
    .split('\n')
    .map(s => s.trim())
    .filter(Boolean)
    // Compose v2 lists them in no fixed order.
    .sort()
  if (!services.includes(from.service)) {
    throw new Error(
      `service ${from.service} is not in the Compose project ${project.projectName} (it has ${services.join(', ') || 'none'})`
    )
  }
  return argv => composeCommand(project, ['exec', '-T', from.service, ...argv])
}

/** The probe script never ran: say why, as far as the command's output tells. */
function withoutProbe(
  from: From,
  code: number | null,
  stderr: string,
  error: string
): ProbeResponse {
  if (from.kind !== 'container') return { body: '', error }
  if (/executable file not found|no such file or directory/i.test(stderr)) {
    return {
      body: '',
      fatal: true,
      error: `service ${from.service} has no sh to run curl or wget in (${error}); check from: server instead`
    }
  }
  if (stderr.trim()) return { body: '', error }
  // Compose v1 also exits 1 silently when the service's container is not running.
  return {
    body: '',
    error: `could not run the probe in service ${from.service} (exit code ${code}); is its container running?`
  }
}

/** Requests a URL with whichever HTTP client the server (or the container) has. */
export function remoteProbe(
  host: HostContext,
  place: Placement,
  from: From,
  settings: Pick<SmokeSettings, 'headers' | 'followRedirects' | 'insecureTls'>
): Probe {
  return async (check, timeoutMs) => {
    const marker = `DKPROBE-${randomBytes(8).toString('hex')}`
    const timeoutSeconds = Math.max(1, Math.ceil(timeoutMs / 1000))
    const argv = probeArgv(
      {
        method: check.method,
        url: check.url,
        headers: firstRequest(check, settings.headers).headers,
        followRedirects: settings.followRedirects,
        insecureTls: settings.insecureTls,
        timeoutSeconds
      },
      marker
    )
    const started = performance.now()
    let result: ExecResult
    try {
      // Quiet: the argv holds the URL and headers, which the log must not show.
      result = await host.run(place(argv), {
        quiet: true,
        timeoutMs: timeoutSeconds * 1000 + EXEC_GRACE_MS
      })
    } catch (err) {
      // The connection is gone; later attempts would fail the same way.
      return { body: '', fatal: true, error: errorMessage(err) }
    }
    if (result.timedOut) return { body: '', error: 'the probe command did not finish in time' }
    const roundTripMs = Math.round(performance.now() - started)
    const out = parseProbeOutput(result.stdout, result.stderr, marker, settings.followRedirects)
    if (out.client === undefined && !out.fatal) {
      return withoutProbe(from, result.code, result.stderr, out.error ?? '')
    }
    return {
      status: out.status,
      body: out.body,
      // Without /proc/uptime the round trip is the best bound there is.
      latencyMs: out.latencyMs ?? roundTripMs,
      error: out.error === undefined ? undefined : hideUrlIn(out.error, check.url),
      fatal: out.fatal,
      client: out.client
    }
  }
}
