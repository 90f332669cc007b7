import { ComposeProject, inService } from './compose.js'
import type { RemoteCommand } from '../core/remote-command.js'

/** The methods a smoke check may send. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const
export type HttpMethod = (typeof HTTP_METHODS)[number]

export interface Header {
  name: string
  value: string
}

/**
 * One request as the server-side HTTP clients are asked to make it. They
 * never follow a redirect themselves (busybox wget cannot help it): the
 * caller decides, hop by hop, where the headers may go.
 */
export interface ProbeRequest {
  method: HttpMethod
  /** Without user info: credentials are an Authorization header among `headers`. */
  url: string
  headers: readonly Header[]
  insecureTls: boolean
  /** Whole seconds; busybox's `timeout` takes no fractions. */
  timeoutSeconds: number
}

export type ClientName = 'curl' | 'wget' | 'busybox-wget'

/** What busybox wget cannot do for a request, which the probe then refuses. */
export type BusyboxLimit = 'method' | 'headers'

const SENDS_EMPTY_BODY: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH'])

/**
 * curl writes the body, then `-w` appends the status, timing and the
 * redirect's absolute target after the marker. The URL and the headers come
 * from the config on its stdin (`--config -`), never from its argv.
 */
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
    `\\n${marker} status=%{http_code} seconds=%{time_total} location=%{redirect_url}\\n`,
    '--max-time',
    String(req.timeoutSeconds),
    ...(req.insecureTls ? ['--insecure'] : []),
    ...method,
    '--config',
    '-'
  ]
}

/** A double-quoted string in curl's config syntax, where only \\ and \" need escaping. */
function curlString(value: string): string {
  return `"${value.replace(/[\\"]/g, c => `\\${c}`)}"`
}

/** What curl reads from its stdin: one `header = "…"` line per header, then `url = "…"`. */
export function curlConfig(req: ProbeRequest): string {
  return [
    ...req.headers.map(h => `header = ${curlString(`${h.name}: ${h.value}`)}`),
    `url = ${curlString(req.url)}`
  ]
    .map(line => `${line}\n`)
    .join('')
}

/**
 * GNU wget prints the response headers (`-S`) on stderr and, with
 * --content-on-error, any body. The probe adds `--config` (a wgetrc with the
 * headers) and `--input-file` (the URL): private files it writes from its
 * stdin and removes when wget is done.
 */
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
    '--max-redirect=0',
    ...(req.insecureTls ? ['--no-check-certificate'] : []),
    ...method
  ]
}

/**
 * wget's startup file: one `header = Name: value` line per header. wgetrc
 * has no quoting: the value is the rest of the line, trimmed, which is what
 * the headers input holds (one line each, trimmed, no control characters).
 */
export function wgetrc(req: ProbeRequest): string {
  return req.headers.map(h => `header = ${h.name}: ${h.value}\n`).join('')
}

/**
 * busybox wget sends only GET and POST, always follows redirects and prints
 * no body for an error status; undefined when it cannot make the request
 * (busyboxLimit). It gets no `-T`: Debian's busybox 1.35 crashes on it; the
 * probe script's `timeout` bounds it.
 */
export function busyboxWgetArgv(req: ProbeRequest): string[] | undefined {
  if (busyboxLimit(req)) return undefined
  return [
    'wget',
    '-q',
    '-S',
    '-O',
    '-',
    ...(req.method === 'POST' ? ['--post-data', ''] : []),
    ...(req.insecureTls ? ['--no-check-certificate'] : []),
    req.url
  ]
}

/**
 * busybox wget takes headers only in its argv, which every user of the
 * machine can read in the process list, and would carry them along every
 * redirect it follows: it gets none.
 */
export function busyboxLimit(req: ProbeRequest): BusyboxLimit | undefined {
  if (req.method !== 'GET' && req.method !== 'POST') return 'method'
  if (req.headers.length > 0) return 'headers'
  return undefined
}

/**
 * Picks the client the machine has (curl, then GNU wget, then busybox wget),
 * keeps that client's argv out of the three it is given, runs it, and prints
 * a trailer line after the marker: the client, its exit code and
 * /proc/uptime before and after (busybox `date` has no sub-second format).
 * Every value arrives as a positional argument or on stdin; nothing is
 * interpolated. The URL and the headers come on stdin (probeStdin): curl's
 * config, a marker line, wget's startup file, a marker line, the URL. curl
 * gets its part through a pipe from the shell's own printf; GNU wget, which
 * reads its startup file only from a regular file, gets mode-600 files in a
 * mode-700 directory, removed as soon as it is done, and on any exit.
 */
export const PROBE_SCRIPT = [
  'mark=$1 secs=$2 limit=$3 nc=$4 ng=$5',
  'shift 5',
  'if command -v curl >/dev/null 2>&1; then',
  '  client=curl skip=0 take=$nc',
  'elif command -v wget >/dev/null 2>&1; then',
  '  if wget --version >/dev/null 2>&1; then client=wget skip=$nc take=$ng',
  '  else client=busybox-wget skip=$((nc + ng)) take=$(($# - nc - ng)); fi',
  'else',
  `  printf '\\n%s client=none\\n' "$mark"; exit 127`,
  'fi',
  'if [ "$client" = busybox-wget ] && [ -n "$limit" ]; then',
  `  printf '\\n%s client=%s unsupported=%s\\n' "$mark" "$client" "$limit"; exit 2`,
  'fi',
  'i=0',
  'for arg do',
  '  i=$((i + 1))',
  '  if [ "$i" -gt "$skip" ] && [ "$i" -le $((skip + take)) ]; then set -- "$@" "$arg"; fi',
  '  shift',
  'done',
  'part() {',
  '  text=',
  '  while IFS= read -r line; do',
  '    [ "$line" = "$mark" ] && return 0',
  '    text="$text$line',
  '"',
  '  done',
  '}',
  'dir= pid=',
  'if [ "$client" = curl ]; then',
  '  part; config=$text',
  'elif [ "$client" = wget ]; then',
  '  part; part; rc=$text; IFS= read -r url',
  '  umask 077',
  '  stop() { [ -z "$pid" ] || kill "$pid" 2>/dev/null; exit "$1"; }',
  '  trap \'[ -z "$dir" ] || rm -rf "$dir"\' EXIT',
  "  trap 'stop 129' HUP; trap 'stop 130' INT; trap 'stop 141' PIPE; trap 'stop 143' TERM",
  '  dir=$(mktemp -d "${TMPDIR:-/tmp}/deploykit-probe.XXXXXX") || {',
  `    printf '\\n%s client=%s unsupported=tmpdir\\n' "$mark" "$client"; exit 2`,
  '  }',
  '  printf \'%s\' "$rc" >"$dir/wgetrc" && printf \'%s\\n\' "$url" >"$dir/url" || exit 2',
  '  set -- "$@" "--config=$dir/wgetrc" "--input-file=$dir/url"',
  'fi',
  'if [ "$client" != curl ] && command -v timeout >/dev/null 2>&1; then set -- timeout "$secs" "$@"; fi',
  'start= end=',
  'read start rest 2>/dev/null </proc/uptime',
  'if [ "$client" = curl ]; then',
  '  printf \'%s\' "$config" | "$@"',
  'elif [ -n "$dir" ]; then',
  // GNU timeout runs wget in a process group of its own, which a stop signal for ours misses,
  // and a shell acts on a trap only after its foreground command ends; `wait` it acts on at once.
  '  "$@" & pid=$!',
  '  wait "$pid"',
  'else',
  '  "$@"',
  'fi',
  'code=$?',
  'read end rest 2>/dev/null </proc/uptime',
  'if [ -n "$dir" ]; then rm -rf "$dir"; dir=; fi',
  `printf '\\n%s client=%s exit=%s start=%s end=%s\\n' "$mark" "$client" "$code" "$start" "$end"`
].join('\n')

/** `sh -c PROBE_SCRIPT` with the three clients' argvs as positional arguments; no URL or header among them but busybox wget's URL. */
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
    busyboxLimit(req) ?? '',
    String(curl.length),
    String(wget.length),
    ...curl,
    ...wget,
    ...busybox
  ]
}

/** The probe's standard input: the URL and the headers for curl, then for GNU wget. */
export function probeStdin(req: ProbeRequest, marker: string): string {
  return `${curlConfig(req)}${marker}\n${wgetrc(req)}${marker}\n${req.url}\n`
}

/** Where the probe runs: the server itself, or a running Compose service. */
export type Placement = (argv: readonly string[]) => RemoteCommand

export const onServer: Placement = argv => ({ argv })

export function inRunningService(project: ComposeProject, service: string): Placement {
  return argv => inService(project, 'exec', service, argv)
}

/** The probe as it is sent: placed, with the URL and the headers on its stdin. */
export function probeCommand(req: ProbeRequest, marker: string, place: Placement): RemoteCommand {
  return { ...place(probeArgv(req, marker)), stdin: probeStdin(req, marker) }
}
