import { lockCommands } from '../../../src/commands/lock.js'
import { commandTable, Q, SUB, NL, DASH } from '../../helpers/command-text.js'

const owner = { token: Q, runKey: SUB, runUrl: NL, release: DASH, since: '2026' }

commandTable('lock', [
  [
    'acquire',
    lockCommands.acquire('/srv/app', owner),
    'sh -c \'umask 077; L=$2; token_in() { sed -n \'\\\'\'s/.*"token":"\\([^"]*\\)".*/\\1/p\'\\\'\' "$1/owner.json" 2>/dev/null | head -n 1; }; age_of() { t=$(stat -c %Y "$1/owner.json" 2>/dev/null || stat -c %Y "$1" 2>/dev/null) || return 1; echo $(( $(date +%s) - t )); }; mkdir -p -- "$1" || exit 4; n=0; while :; do if err=$(mkdir -- "$L" 2>&1); then if err=$( (set -C; cat > "$L/owner.json") 2>&1 ); then exit 0; fi; [ -n "$(token_in "$L")" ] || [ ! -d "$L" ] || { rmdir -- "$L" 2>/dev/null; printf "%s\\n" "$err" >&2; exit 5; }; fi; [ ! -e "$L" ] || break; n=$((n + 1)); [ "$n" -lt 3 ] || { printf "%s\\n" "$err" >&2; exit 5; }; done; age=$(age_of "$L") || exit 3; echo "$age"; echo "$(token_in "$L")"; cat "$L/owner.json" 2>/dev/null; exit 1\' sh /srv/app/.deploy-kit /srv/app/.deploy-kit/lock'
  ],
  [
    'acquire under a hostile app-dir',
    lockCommands.acquire(`/srv/${Q} ${SUB}`, owner),
    'sh -c \'umask 077; L=$2; token_in() { sed -n \'\\\'\'s/.*"token":"\\([^"]*\\)".*/\\1/p\'\\\'\' "$1/owner.json" 2>/dev/null | head -n 1; }; age_of() { t=$(stat -c %Y "$1/owner.json" 2>/dev/null || stat -c %Y "$1" 2>/dev/null) || return 1; echo $(( $(date +%s) - t )); }; mkdir -p -- "$1" || exit 4; n=0; while :; do if err=$(mkdir -- "$L" 2>&1); then if err=$( (set -C; cat > "$L/owner.json") 2>&1 ); then exit 0; fi; [ -n "$(token_in "$L")" ] || [ ! -d "$L" ] || { rmdir -- "$L" 2>/dev/null; printf "%s\\n" "$err" >&2; exit 5; }; fi; [ ! -e "$L" ] || break; n=$((n + 1)); [ "$n" -lt 3 ] || { printf "%s\\n" "$err" >&2; exit 5; }; done; age=$(age_of "$L") || exit 3; echo "$age"; echo "$(token_in "$L")"; cat "$L/owner.json" 2>/dev/null; exit 1\' sh \'/srv/it\'\\\'\'s $(touch /tmp/pwned)/.deploy-kit\' \'/srv/it\'\\\'\'s $(touch /tmp/pwned)/.deploy-kit/lock\''
  ],
  [
    'take over a stale lock',
    lockCommands.takeOver(`/srv/${NL}`, Q, DASH),
    'sh -c \'L=$1; A=$2; token_in() { sed -n \'\\\'\'s/.*"token":"\\([^"]*\\)".*/\\1/p\'\\\'\' "$1/owner.json" 2>/dev/null | head -n 1; }; age_of() { t=$(stat -c %Y "$1/owner.json" 2>/dev/null || stat -c %Y "$1" 2>/dev/null) || return 1; echo $(( $(date +%s) - t )); }; n=0; until err=$(mv -T -- "$L" "$A" 2>&1); do [ -e "$L" ] || exit 3; n=$((n + 1)); [ "$n" -lt 3 ] || { printf "%s\\n" "$err" >&2; exit 5; }; done; if [ "$(token_in "$A")" = "$3" ] && [ "$(age_of "$A")" -gt "$4" ]; then rm -rf -- "$A"; exit 0; fi; mv -T -- "$A" "$L" 2>/dev/null || rm -rf -- "$A"; exit 4\' sh \'/srv/a\nb/.deploy-kit/lock\' \'/srv/a\nb/.deploy-kit/lock.stale--rf\' \'it\'\\\'\'s\' 90'
  ],
  [
    'heartbeat',
    lockCommands.heartbeat('/srv/app', `${Q}"${SUB}`),
    'sh -c \'if grep -qF -- "$2" "$1" 2>/dev/null; then touch -c -- "$1"; exit 0; fi; cat -- "$1" 2>/dev/null; exit 3\' sh /srv/app/.deploy-kit/lock/owner.json \'"token":"it\'\\\'\'s\\"$(touch /tmp/pwned)"\''
  ],
  [
    'release',
    lockCommands.release(DASH, Q),
    'sh -c \'grep -qF -- "$3" "$1/owner.json" 2>/dev/null || exit 0; mv -T -- "$1" "$2" 2>/dev/null || exit 0; if grep -qF -- "$3" "$2/owner.json" 2>/dev/null; then rm -rf -- "$2"; exit 0; fi; mv -T -- "$2" "$1" 2>/dev/null || rm -rf -- "$2"; exit 0\' sh -rf/.deploy-kit/lock \'-rf/.deploy-kit/lock.released-it\'\\\'\'s\' \'"token":"it\'\\\'\'s"\''
  ]
])
