import { uploadCommands } from '../../../src/commands/upload.js'
import { commandTable, Q, SUB, NL, DASH } from '../../helpers/command-text.js'

commandTable('upload', [
  [
    'prepare the releases directory',
    uploadCommands.prepare(`/srv/${Q}`),
    "mkdir -p -- '/srv/it'\\''s/releases'"
  ],
  [
    'unpack into releases/<id>',
    uploadCommands.unpack('/srv/app', DASH, `/srv/app/releases/.incoming-${SUB}.tar.gz`),
    'sh -c \'mkdir -- "$1" || exit; tar -xzf "$2" -C "$1" || { s=$?; rm -rf -- "$1"; rm -f -- "$2"; exit "$s"; }; rm -f -- "$2"\' sh /srv/app/releases/-rf \'/srv/app/releases/.incoming-$(touch /tmp/pwned).tar.gz\''
  ],
  [
    'switch current',
    uploadCommands.switchCurrent(`/srv/${SUB}`, NL),
    'sh -c \'ln -sfn "releases/$2" "$1/.current.tmp" && mv -fT "$1/.current.tmp" "$1/current"\' sh \'/srv/$(touch /tmp/pwned)\' \'a\nb\''
  ],
  ['current target', uploadCommands.currentTarget(DASH), 'readlink -rf/current'],
  ['list releases', uploadCommands.listReleases(`/srv/${Q}`), "ls -1 -- '/srv/it'\\''s/releases'"],
  [
    'remove a release',
    uploadCommands.removeRelease('/srv/app', DASH),
    'rm -rf -- /srv/app/releases/-rf'
  ],
  [
    'a release exists',
    uploadCommands.exists(`/srv/app/releases/${SUB}`),
    "test -d '/srv/app/releases/$(touch /tmp/pwned)'"
  ]
])
