import { RemoteCommand } from '../core/remote-command.js'

/** Which Compose the check looks for: either (v2 first), or the one compose-command names. */
export type ComposeWanted = 'auto' | 'v2' | 'v1'

export interface PreflightRequest {
  appDir: string
  /** Less free space than this (in KiB) where the app directory is, and the host is refused. */
  minFreeKib: number
  compose: ComposeWanted
  /** The host's release log, printed after the checks. */
  log: string
}

/** Marks the start of the release log in the check's output. */
export const PREFLIGHT_LOG_MARK = '--- deploy-kit release log ---'

// Each problem is one line: `problem<TAB>kind<TAB>detail`; the Compose found is
// `compose<TAB>v2|v1`. Every check runs, so one run names every problem of the host.
const SCRIPT = [
  'app=$1; floor=$2; want=$3; log=$4',
  'if ! command -v docker >/dev/null 2>&1; then',
  '  printf \'problem\\tdocker-missing\\t%s\\n\' "$PATH"',
  'elif ! out=$(docker version --format "{{.Server.Version}}" 2>&1 </dev/null); then',
  "  printf 'problem\\tdocker-daemon\\t%s\\n' \"$(printf '%s' \"$out\" | tr '\\n' ' ' | cut -c1-400)\"",
  'fi',
  'found=',
  'if [ "$want" != v1 ] && docker compose version >/dev/null 2>&1 </dev/null; then found=v2',
  'elif [ "$want" != v2 ] && docker-compose version >/dev/null 2>&1 </dev/null; then found=v1',
  'fi',
  'if [ -n "$found" ]; then printf \'compose\\t%s\\n\' "$found"; else printf \'problem\\tcompose\\t%s\\n\' "$want"; fi',
  'dir=$app',
  'while [ ! -e "$dir" ]; do',
  '  up=$(dirname -- "$dir")',
  '  { [ -n "$up" ] && [ "$up" != "$dir" ]; } || break',
  '  dir=$up',
  'done',
  'if [ ! -d "$dir" ]; then',
  '  printf \'problem\\tapp-dir-not-dir\\t%s\\n\' "$dir"',
  'elif [ ! -w "$dir" ] || [ ! -x "$dir" ]; then',
  '  printf \'problem\\tapp-dir-not-writable\\t%s\\n\' "$dir"',
  'elif [ -e "$dir/.deploy-kit" ] && { [ ! -w "$dir/.deploy-kit" ] || [ ! -x "$dir/.deploy-kit" ]; }; then',
  '  printf \'problem\\tapp-dir-not-writable\\t%s\\n\' "$dir/.deploy-kit"',
  'fi',
  'free=$(df -Pk -- "$dir" 2>/dev/null | awk \'NR == 2 { print $4 }\')',
  'case $free in',
  "  ''|*[!0-9]*) printf 'problem\\tdisk-unknown\\t%s\\n' \"$dir\" ;;",
  '  *) [ "$free" -ge "$floor" ] || printf \'problem\\tdisk\\t%s %s\\n\' "$free" "$dir" ;;',
  'esac',
  `printf '%s\\n' '${PREFLIGHT_LOG_MARK}'`,
  '[ ! -r "$log" ] || cat -- "$log"'
].join('\n')

/**
 * Everything a deploy needs from a host, checked in one round trip before any
 * host changes: the docker daemon answers the deploy user, Compose is there,
 * the app directory (or the nearest directory above it, which will hold it)
 * is writable, and it has free space above a floor. Prints the problems, the
 * Compose found and the release log; exits 0 whatever it finds.
 */
export function preflightCommand(r: PreflightRequest): RemoteCommand {
  return {
    argv: [
      'sh',
      '-c',
      SCRIPT,
      'sh',
      r.appDir,
      String(Math.max(0, Math.floor(r.minFreeKib))),
      r.compose,
      r.log
    ]
  }
}
