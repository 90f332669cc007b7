import { fileCommands } from '../../../src/commands/files.js'
import { commandTable, Q, SUB, NL, DASH } from '../../helpers/command-text.js'

commandTable('files', [
  [
    'read',
    fileCommands.read(`/srv/${Q}/.env`),
    "sh -c '[ ! -e \"$1\" ] || cat -- \"$1\"' sh '/srv/it'\\''s/.env'"
  ],
  [
    'append',
    fileCommands.append(`/srv/${SUB}/log`, 'line\n'),
    'sh -c \'umask 077; mkdir -p -- "$(dirname -- "$1")" && { [ ! -s "$1" ] || [ -z "$(tail -c 1 -- "$1")" ] || echo >> "$1"; } && cat >> "$1" && chmod 600 "$1"\' sh \'/srv/$(touch /tmp/pwned)/log\''
  ],
  [
    'write a private file with a snapshot',
    fileCommands.writePrivate(DASH, `/srv/${NL}`, 'K=1\n'),
    'sh -c \'umask 077; set -e; mkdir -p -- "$(dirname -- "$1")" "$(dirname -- "$2")"; [ ! -e "$1" ] || { rm -f -- "$1.bak.deploykit-tmp"; cat -- "$1" > "$1.bak.deploykit-tmp"; chmod 600 "$1.bak.deploykit-tmp"; mv -f -- "$1.bak.deploykit-tmp" "$1.bak"; }; rm -f -- "$1.deploykit-tmp"; cat > "$1.deploykit-tmp"; chmod 600 "$1.deploykit-tmp"; cp -- "$1.deploykit-tmp" "$2"; mv -f -- "$1.deploykit-tmp" "$1"\' sh -rf \'/srv/a\nb\''
  ],
  [
    'run a script (code by design) in a directory',
    fileCommands.runScript(`/srv/${Q}`, `echo ${SUB}`),
    "cd '/srv/it'\\''s' && sh -e -c 'echo $(touch /tmp/pwned)'"
  ],
  ['is a directory', fileCommands.isDirectory(DASH), 'test -d -rf'],
  ['is a symlink', fileCommands.isSymlink(`/srv/${Q}/current`), "test -L '/srv/it'\\''s/current'"],
  ['list a directory', fileCommands.list(DASH), 'ls -1 -- -rf'],
  [
    'remove a file',
    fileCommands.removeFile(`${DASH}/${SUB}`),
    "rm -f -- '-rf/$(touch /tmp/pwned)'"
  ],
  [
    'remove a tree',
    fileCommands.removeTree(`/srv/app/releases/${NL}`),
    "rm -rf -- '/srv/app/releases/a\nb'"
  ]
])
