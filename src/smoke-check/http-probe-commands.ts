import type { Header, HttpMethod } from './settings.js'

/** One request as the server-side HTTP clients are asked to make it. */
export interface ProbeRequest {
  method: HttpMethod
  url: string
  headers: readonly Header[]
  followRedirects: boolean
  insecureTls: boolean
  /** Whole seconds; busybox's `timeout` takes no fractions. */
  timeoutSeconds: number
}

export type ClientName = 'curl' | 'wget' | 'busybox-wget'

const MAX_REDIRECTS = 10
const SENDS_EMPTY_BODY: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH'])

/** curl writes the body, then `-w` appends the status and timing after the marker. */
export function curlArgv(req: ProbeRequest, marker: string): string[] {
  const method =
    req.method === 'GET'
      ? []
      : req.method === 'HEAD'
        ? ['--head']
        : SENDS_EMPTY_BODY.has(req.method)
          ? ['--request', req.method, '--data-binary', '']
          : ['--request', req.method]
  return [
    'curl',
    '--silent',
    '--show-error',
    // `[` and `{` in a URL are curl glob syntax otherwise.
    '--globoff',
    '--output',
    '-',
    '--write-out',
    `\\n${marker} status=%{http_code} seconds=%{time_total}\\n`,
    '--max-time',
    String(req.timeoutSeconds),
    ...(req.followRedirects ? ['--location', '--max-redirs', String(MAX_REDIRECTS)] : []),
    ...(req.insecureTls ? ['--insecure'] : []),
    ...method,
    ...req.headers.flatMap(h => ['--header', `${h.name}: ${h.value}`]),
    req.url
  ]
}

/** GNU wget prints the response headers (`-S`) on stderr and, with --content-on-error, any body. */
export function gnuWgetArgv(req: ProbeRequest): string[] {
  const method =
    req.method === 'GET'
      ? []
      : SENDS_EMPTY_BODY.has(req.method)
        ? [`--method=${req.method}`, '--body-data=']
        : [`--method=${req.method}`]
  return [
    'wget',
    // Not --quiet: that hides why a request failed, e.g. "failed: Connection refused."
    '--no-verbose',
    '--server-response',
    '--output-document=-',
    '--tries=1',
    `--timeout=${req.timeoutSeconds}`,
    '--content-on-error',
    `--max-redirect=${req.followRedirects ? MAX_REDIRECTS : 0}`,
    ...(req.insecureTls ? ['--no-check-certificate'] : []),
    ...method,
    ...req.headers.map(h => `--header=${h.name}: ${h.value}`),
    req.url
  ]
}

/**
 * busybox wget sends only GET and POST (undefined for anything else), always
 * follows redirects and prints no body for an error status. It gets no `-T`:
 * Debian's busybox 1.35 crashes on it; the probe script's `timeout` bounds it.
 */
export function busyboxWgetArgv(req: ProbeRequest): string[] | undefined {
  if (req.method !== 'GET' && req.method !== 'POST') return undefined
  return [
    'wget',
    '-q',
    '-S',
    '-O',
    '-',
    ...(req.method === 'POST' ? ['--post-data', ''] : []),
    ...(req.insecureTls ? ['--no-check-certificate'] : []),
    ...req.headers.flatMap(h => ['--header', `${h.name}: ${h.value}`]),
    req.url
  ]
}

/**
 * Picks the client the machine has (curl, then GNU wget, then busybox wget),
 * keeps that client's argv out of the three it is given, runs it, and prints
 * a trailer line after the marker: the client, its exit code and
 * /proc/uptime before and after (busybox `date` has no sub-second format).
 * Every value arrives as a positional argument; nothing is interpolated.
 */
export const PROBE_SCRIPT = [
  'mark=$1 secs=$2 nc=$3 ng=$4',
  'shift 4',
  'if command -v curl >/dev/null 2>&1; then',
  '  client=curl skip=0 take=$nc',
  'elif command -v wget >/dev/null 2>&1; then',
  '  if wget --version >/dev/null 2>&1; then client=wget skip=$nc take=$ng',
  '  else client=busybox-wget skip=$((nc + ng)) take=$(($# - nc - ng)); fi',
  'else',
  `  printf '\\n%s client=none\\n' "$mark"; exit 127`,
  'fi',
  'if [ "$take" -eq 0 ]; then',
  `  printf '\\n%s client=%s unsupported=method\\n' "$mark" "$client"; exit 2`,
  'fi',
  'i=0',
  'for arg do',
  '  i=$((i + 1))',
  '  if [ "$i" -gt "$skip" ] && [ "$i" -le $((skip + take)) ]; then set -- "$@" "$arg"; fi',
  '  shift',
  'done',
  'start= end=',
  'read start rest 2>/dev/null </proc/uptime',
  'if [ "$client" != curl ] && command -v timeout >/dev/null 2>&1; then',
  '  timeout "$secs" "$@"',
  'else',
  '  "$@"',
  'fi',
  'code=$?',
  'read end rest 2>/dev/null </proc/uptime',
  `printf '\\n%s client=%s exit=%s start=%s end=%s\\n' "$mark" "$client" "$code" "$start" "$end"`
].join('\n')

/** `sh -c PROBE_SCRIPT` with the three client argvs as positional arguments. */
export function probeArgv(req: ProbeRequest, marker: string): string[] {
  const curl = curlArgv(req, marker)
  const wget = gnuWgetArgv(req)
  const busybox = busyboxWgetArgv(req) ?? []
  return [
    'sh',
    '-c',
    PROBE_SCRIPT,
    'deploykit-probe',
    marker,
    String(req.timeoutSeconds),
    String(curl.length),
    String(wget.length),
    ...curl,
    ...wget,
    ...busybox
  ]
}

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
}

function trailerFields(text: string, marker: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const line of text.split('\n')) {
    if (!line.startsWith(marker)) continue
    for (const pair of line.slice(marker.length).trim().split(/\s+/)) {
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
  return { client, status: statuses[statuses.length - 1], body, latencyMs }
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
  if (fields.unsupported) {
    return {
      client,
      body: '',
      fatal: true,
      error: `${client} cannot send this method; only GET and POST work with busybox wget (install curl, or use GET)`
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
  return { client, status, body, latencyMs }
}
