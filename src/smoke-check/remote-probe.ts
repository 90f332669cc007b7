import { randomBytes } from 'node:crypto'
import {
  BusyboxLimit,
  inRunningService,
  onServer,
  Placement,
  probeCommand
} from '../commands/http-probe.js'
import { composeCommands } from '../commands/compose.js'
import { fileCommands } from '../commands/files.js'
import { detectCompose, liveReleaseDir, projectFor } from '../server/compose.js'
import { AppSettings } from '../core/app-settings.js'
import { errorMessage } from '../core/errors.js'
import type { HostContext } from '../core/fleet.js'
import type { ExecResult } from '../core/ssh-session.js'
import type { Probe, ProbeResponse } from './probe.js'
import { parseProbeOutput } from './probe-output.js'
import { firstRequest, followRedirects, HttpRequest } from './redirects.js'
import type { Header } from '../commands/http-probe.js'
import type { From, SmokeSettings, UrlCheck } from './settings.js'
import { hideUrlIn } from './target-url.js'

/** Time on top of the request timeout for SSH and `docker-compose exec` to start and stop. */
const EXEC_GRACE_MS = 5000

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
  if (from.kind !== 'container') return onServer
  if (!app) throw new Error('from: container needs app-dir')
  if ((await host.run(fileCommands.isDirectory(app.appDir), { quiet: true })).code !== 0) {
    throw new Error(`app-dir ${app.appDir} does not exist on the server`)
  }
  const binary = await detectCompose(host, app.composeChoice)
  const project = projectFor(app, binary, await liveReleaseDir(host, app.appDir))
  // `docker-compose exec -T` (v1) exits 1 without a word for an unknown service: ask first.
  const config = await host.run(composeCommands.services(project), { quiet: true })
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
  return inRunningService(project, from.service)
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

type Settings = Pick<SmokeSettings, 'headers' | 'followRedirects' | 'insecureTls'>

interface Hop extends ProbeResponse {
  location?: string
  unsupported?: BusyboxLimit
}

/** Why busybox wget was given nothing to do, naming the inputs and what to install. */
function busyboxRefusal(check: UrlCheck, headers: readonly Header[], from: From): string {
  const sent = firstRequest(check, headers).headers
  const what = [
    ...(headers.length > 0 ? ['headers (input headers)'] : []),
    ...(sent.length > headers.length ? ["the URL's user name and password (input urls)"] : [])
  ].join(' and ')
  const where = from.kind === 'container' ? `in service ${from.service}` : 'on the server'
  return `busybox wget takes ${what} only in its command line, which every user of the machine can read, and would send them on to wherever a redirect leads; install curl or GNU wget ${where}`
}

/**
 * One request, made by the probe script. The URL and the headers travel on
 * the command's stdin; its argv (what `ps` shows) holds neither.
 */
async function requestOnce(
  host: HostContext,
  place: Placement,
  from: From,
  request: HttpRequest,
  settings: Settings,
  timeoutMs: number
): Promise<Hop> {
  const marker = `DKPROBE-${randomBytes(8).toString('hex')}`
  const timeoutSeconds = Math.max(1, Math.ceil(timeoutMs / 1000))
  const probe = { ...request, insecureTls: settings.insecureTls, timeoutSeconds }
  const started = performance.now()
  let result: ExecResult
  try {
    result = await host.run(probeCommand(probe, marker, place), {
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
    error: out.error === undefined ? undefined : hideUrlIn(out.error, request.url),
    fatal: out.fatal,
    client: out.client,
    location: out.location,
    unsupported: out.unsupported
  }
}

/**
 * Requests a URL with whichever HTTP client the server (or the container)
 * has, following redirects here, hop by hop, so headers and credentials
 * stay with the origin they were given for.
 */
export function remoteProbe(
  host: HostContext,
  place: Placement,
  from: From,
  settings: Settings
): Probe {
  return async (check, timeoutMs) => {
    const started = performance.now()
    let latencyMs = 0
    const { response, notice } = await followRedirects(
      firstRequest(check, settings.headers),
      settings.followRedirects,
      async request => {
        const left = timeoutMs - (performance.now() - started)
        if (left <= 0) return { body: '', error: 'no complete response before the timeout' } as Hop
        const hop = await requestOnce(host, place, from, request, settings, left)
        latencyMs += hop.latencyMs ?? 0
        return hop
      }
    )
    return {
      status: response.status,
      body: response.body,
      latencyMs: response.latencyMs === undefined ? undefined : latencyMs,
      error:
        response.unsupported === 'headers'
          ? busyboxRefusal(check, settings.headers, from)
          : response.error,
      fatal: response.fatal,
      client: response.client,
      notice
    }
  }
}
