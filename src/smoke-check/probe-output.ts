import type { BusyboxLimit, ClientName } from '../commands/http-probe.js'

/** What one run of the probe command says. */
export interface ProbeOutput {
  client?: ClientName
  status?: number
  body: string
  latencyMs?: number
  /** Why there is no usable response. */
  error?: string
  /** Retrying cannot help: the machine has no client that can make this request. */
  fatal?: boolean
  /** What busybox wget was not given, when that is why it did not run. */
  unsupported?: BusyboxLimit
  /** Where a redirect points, as the client gives it (curl: absolute; wget: as the server sent it). */
  location?: string
}

function trailerFields(text: string, marker: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const line of text.split('\n')) {
    if (!line.startsWith(marker)) continue
    // curl's redirect target comes last and is taken whole.
    const [rest, location] = line.slice(marker.length).split(' location=')
    if (location !== undefined) fields.location = location.trim()
    for (const pair of rest.trim().split(/\s+/)) {
      const eq = pair.indexOf('=')
      if (eq > 0) fields[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
  }
  return fields
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map(l => l.trim())
      .filter(Boolean)
      .pop() ?? ''
  )
}

const TIMED_OUT_CODES = new Set(['124', '143'])
const TLS_HINT = 'set insecure-tls: true to accept it anyway'

function wgetOutput(
  client: ClientName,
  fields: Record<string, string>,
  body: string,
  stderr: string,
  followRedirects: boolean
): ProbeOutput {
  const statuses = [...stderr.matchAll(/^\s*HTTP\/[\d.]+\s+(\d{3})/gm)].map(m => Number(m[1]))
  // GNU wget is given --max-redirect=0 and stops at the first response; busybox wget follows on its own.
  const location =
    client === 'wget'
      ? [...stderr.matchAll(/^\s*location:\s*(\S+)/gim)].map(m => m[1]).pop()
      : undefined
  const start = Number(fields.start)
  const end = Number(fields.end)
  const latencyMs =
    fields.start && fields.end && end >= start ? Math.round((end - start) * 1000) : undefined
  if (TIMED_OUT_CODES.has(fields.exit)) {
    return { client, body, latencyMs, error: 'no complete response before the timeout' }
  }
  if (statuses.length === 0) {
    // GNU wget's own hint names its --no-check-certificate flag; the input is what the user sets.
    const error =
      client === 'wget' && fields.exit === '5'
        ? `TLS certificate not accepted by wget; ${TLS_HINT}`
        : lastLine(stderr) || `wget exited with ${fields.exit}`
    return { client, body, latencyMs, error }
  }
  // busybox wget cannot leave a redirect unfollowed; its first status is the one asked for.
  if (!followRedirects && statuses.length > 1)
    return { client, status: statuses[0], body: '', latencyMs }
  return { client, status: statuses[statuses.length - 1], body, latencyMs, location }
}

/** Splits the probe's stdout at the marker into body and trailer, and reads the status. */
export function parseProbeOutput(
  stdout: string,
  stderr: string,
  marker: string,
  followRedirects: boolean
): ProbeOutput {
  const at = stdout.indexOf(`\n${marker}`)
  if (at < 0) {
    return { body: '', error: lastLine(stderr) || lastLine(stdout) || 'the probe printed nothing' }
  }
  const body = stdout.slice(0, at)
  const fields = trailerFields(stdout.slice(at + 1), marker)
  const client = fields.client as ClientName | 'none' | undefined
  if (client === 'none' || client === undefined) {
    return {
      body: '',
      fatal: true,
      error: 'no HTTP client: neither curl nor wget is installed there'
    }
  }
  if (fields.unsupported === 'method') {
    return {
      client,
      body: '',
      fatal: true,
      unsupported: 'method',
      error: `${client} cannot send this method; only GET and POST work with busybox wget (install curl, or use GET)`
    }
  }
  if (fields.unsupported === 'headers') {
    return {
      client,
      body: '',
      fatal: true,
      unsupported: 'headers',
      error:
        'busybox wget cannot take headers without putting them in its command line, which every user of the machine can read; install curl or GNU wget there'
    }
  }
  if (fields.unsupported) {
    return {
      client,
      body: '',
      error: `${client} needs a private temporary directory for its headers and mktemp -d could not make one`
    }
  }
  if (client !== 'curl') return wgetOutput(client, fields, body, stderr, followRedirects)
  const status = Number(fields.status)
  const latencyMs = fields.seconds ? Math.round(Number(fields.seconds) * 1000) : undefined
  if (fields.exit !== '0' || !status) {
    const why =
      fields.exit === '28'
        ? 'no complete response before the timeout'
        : fields.exit === '60'
          ? `${lastLine(stderr)}; ${TLS_HINT}`
          : lastLine(stderr)
    return { client, body, latencyMs, error: why || `curl exited with ${fields.exit}` }
  }
  return { client, status, body, latencyMs, location: fields.location || undefined }
}
