import { RemoteCommand } from '../core/remote-command.js'
import { RUN_TAG, RUN_TAG_VAR } from '../core/run-tag.js'
import { statePaths } from './state-paths.js'

/** A lock whose owner has not refreshed it for this long was left by a killed run. */
export const STALE_AFTER_SECONDS = 90

export interface LockOwner {
  token: string
  runKey: string
  runUrl: string
  /** GITHUB_RUN_ATTEMPT of that run (absent in locks of older versions). */
  attempt?: string
  release: string
  since: string
}

/** How the owner file names its token; grep looks for exactly this text. */
function tokenField(token: string): string {
  return JSON.stringify({ token }).slice(1, -1)
}

// Shell fragments shared by the lock scripts. $L is the lock directory.
/** The token in the owner file of directory $1 (empty when there is none), as the shell sees it. */
const TOKEN_IN = `token_in() { sed -n 's/.*"token":"\\([^"]*\\)".*/\\1/p' "$1/owner.json" 2>/dev/null | head -n 1; }`
/** Seconds since the owner of directory $1 refreshed it (or since the directory was made, before the owner is written). */
const AGE_OF = `age_of() { t=$(stat -c %Y "$1/owner.json" 2>/dev/null || stat -c %Y "$1" 2>/dev/null) || return 1; echo $(( $(date +%s) - t )); }`
/** Prints what holds $L: its age, its token, then its owner file; exit 3 when there is no lock. */
const DESCRIBE =
  'age=$(age_of "$L") || exit 3; echo "$age"; echo "$(token_in "$L")"; cat "$L/owner.json" 2>/dev/null'

/**
 * The lock is a directory: mkdir is atomic, so exactly one of two deploys
 * creates it. Taking over a stale one is a compare-and-swap: rename it
 * aside (atomic too, so only one taker moves it), keep it only if it is
 * the stale lock that taker saw, otherwise put it back.
 */
export const lockCommands = {
  /**
   * Creates the lock with its owner in one step, or prints what holds it
   * (exit 1; exit 3 when it was released before the look).
   * The owner file is written only if none is there (`set -C`): a lock put
   * back by a taker that moved the wrong one keeps its owner. Exit 4 when the
   * state directory cannot be made, 5 when the lock cannot (mkdir failed and no
   * lock is there: EACCES, EROFS, ENOSPC…) or its owner file cannot be written;
   * stderr then says why.
   */
  acquire: (appDir: string, owner: LockOwner): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      `umask 077; L=$2; ${TOKEN_IN}; ${AGE_OF}; mkdir -p -- "$1" || exit 4; ` +
        // A lock released between a failed mkdir and the look is tried again; no lock after three tries means mkdir itself failed.
        'n=0; while :; do ' +
        'if err=$(mkdir -- "$L" 2>&1); then ' +
        'if err=$( (set -C; cat > "$L/owner.json") 2>&1 ); then exit 0; fi; ' +
        // No owner (ours or another's) in it: the write itself failed, so the empty lock goes again.
        '[ -n "$(token_in "$L")" ] || [ ! -d "$L" ] || { rmdir -- "$L" 2>/dev/null; printf "%s\\n" "$err" >&2; exit 5; }; ' +
        'fi; ' +
        '[ ! -e "$L" ] || break; n=$((n + 1)); [ "$n" -lt 3 ] || { printf "%s\\n" "$err" >&2; exit 5; }; ' +
        'done; ' +
        `${DESCRIBE}; exit 1`,
      'sh',
      statePaths(appDir).dir,
      statePaths(appDir).lock
    ],
    stdin: JSON.stringify(owner) + '\n'
  }),
  /**
   * Frees a stale lock: exit 0 once it is gone, 3 when it had gone already,
   * 4 when it was not the one seen (another deploy holds it now) and is back,
   * 5 when it is there and cannot be moved aside (stderr says why).
   */
  takeOver: (appDir: string, seenToken: string, aside: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      `L=$1; A=$2; ${TOKEN_IN}; ${AGE_OF}; ` +
        'n=0; until err=$(mv -T -- "$L" "$A" 2>&1); do ' +
        '[ -e "$L" ] || exit 3; n=$((n + 1)); [ "$n" -lt 3 ] || { printf "%s\\n" "$err" >&2; exit 5; }; ' +
        'done; ' +
        'if [ "$(token_in "$A")" = "$3" ] && [ "$(age_of "$A")" -gt "$4" ]; then rm -rf -- "$A"; exit 0; fi; ' +
        // A lock made in the meantime stays; the one moved by mistake is then gone and its holder stops at its next check.
        'mv -T -- "$A" "$L" 2>/dev/null || rm -rf -- "$A"; exit 4',
      'sh',
      statePaths(appDir).lock,
      `${statePaths(appDir).lock}.stale-${aside}`,
      seenToken,
      String(STALE_AFTER_SECONDS)
    ]
  }),
  /** Refreshes the lock if this run still owns it; otherwise prints the owner file (if any) and exits 3. */
  heartbeat: (appDir: string, token: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'if grep -qF -- "$2" "$1" 2>/dev/null; then touch -c -- "$1"; exit 0; fi; cat -- "$1" 2>/dev/null; exit 3',
      'sh',
      statePaths(appDir).lockOwner,
      tokenField(token)
    ]
  }),
  /**
   * Waits until no process of the deploy user carries this run's tag
   * (run-tag.ts) in its environment: the work a killed main step, or a lost
   * connection, left running. Prints the pids still running every 5 s; after `seconds` it
   * stops them (TERM, then KILL 3 s later) and says so. Exit 0 either way.
   */
  waitForRunWork: (token: string, seconds: number): RemoteCommand => {
    if (!RUN_TAG.test(token) || !Number.isInteger(seconds) || seconds < 0)
      throw new Error('waitForRunWork: a run token is hex and the wait whole seconds')
    return {
      argv: [
        'sh',
        '-c',
        `t="${RUN_TAG_VAR}=$1"; n=$2; ` +
          'tagged() { for e in /proc/[0-9]*/environ; do p=${e#/proc/}; p=${p%/environ}; ' +
          '[ "$p" = "$$" ] && continue; ' +
          'tr "\\000" "\\n" 2>/dev/null < "$e" | grep -qxF -- "$t" && printf "%s " "$p"; done; }; ' +
          'i=0; pids=$(tagged); [ -n "$pids" ] || exit 0; ' +
          'echo "This run\x27s earlier remote work still runs here (pids $pids): waiting up to ${n}s for it to end"; ' +
          'while [ -n "$pids" ] && [ "$i" -lt "$n" ]; do sleep 1; i=$((i + 1)); pids=$(tagged); ' +
          '[ -z "$pids" ] || [ $((i % 5)) -ne 0 ] || echo "Still running after ${i}s: pids $pids"; done; ' +
          'if [ -z "$pids" ]; then echo "It ended after ${i}s"; exit 0; fi; ' +
          'kill -TERM $pids 2>/dev/null; sleep 3; pids=$(tagged); [ -z "$pids" ] || kill -KILL $pids 2>/dev/null; ' +
          'left=$(tagged); echo "It still ran after ${n}s: stopped it (TERM, then KILL)${left:+; still there: pids $left}"; exit 0',
        'sh',
        token,
        String(seconds)
      ],
      // The look for the run's work is no part of it: untagged, it never finds itself.
      untagged: true
    }
  },
  /** Removes the lock only when this run still owns it, moving it aside first so another's lock is never removed. */
  release: (appDir: string, token: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'grep -qF -- "$3" "$1/owner.json" 2>/dev/null || exit 0; mv -T -- "$1" "$2" 2>/dev/null || exit 0; ' +
        'if grep -qF -- "$3" "$2/owner.json" 2>/dev/null; then rm -rf -- "$2"; exit 0; fi; ' +
        'mv -T -- "$2" "$1" 2>/dev/null || rm -rf -- "$2"; exit 0',
      'sh',
      statePaths(appDir).lock,
      `${statePaths(appDir).lock}.released-${token}`,
      tokenField(token)
    ]
  })
}
