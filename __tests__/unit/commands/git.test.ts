import { describe, expect, it } from '@jest/globals'
import { ancestryCommand, gitCommands } from '../../../src/commands/git.js'
import { commandTable, Q, SUB, NL, DASH, SHA } from '../../helpers/command-text.js'

const credentials = { origin: `https://${Q}`, username: SUB, password: NL }
const repository = { url: `${DASH} ${SUB}`, shown: 'x' }

commandTable('git', [
  ['is a clone', gitCommands.hasClone(`/srv/${Q}`), "test -d '/srv/it'\\''s/.git'"],
  [
    'entries of the directory',
    gitCommands.listEntries(DASH),
    'sh -c \'[ ! -d "$1" ] || ls -A -- "$1"\' sh -rf'
  ],
  [
    'init with the origin after --end-of-options',
    gitCommands.init(repository, `/srv/${SUB}`),
    'sh -c \'git init -q -- "$1" && git -C "$1" remote add --end-of-options origin "$2"\' sh \'/srv/$(touch /tmp/pwned)\' \'-rf $(touch /tmp/pwned)\''
  ],
  ['origin URL', gitCommands.originUrl(NL), "git -C 'a\nb' config --get remote.origin.url"],
  [
    'set the origin URL',
    gitCommands.setOriginUrl(`/srv/${Q}`, repository),
    "git -C '/srv/it'\\''s' remote set-url --end-of-options origin '-rf $(touch /tmp/pwned)'"
  ],
  [
    'exclude deploy-kit state',
    gitCommands.excludeState(DASH),
    'sh -c \'f="$1/.git/info/exclude"; mkdir -p "$1/.git/info"; grep -qxF "/.deploy-kit/" "$f" 2>/dev/null || echo "/.deploy-kit/" >> "$f"\' sh -rf'
  ],
  ['head', gitCommands.head(SUB), "git -C '$(touch /tmp/pwned)' rev-parse --verify --quiet HEAD"],
  [
    'changed tracked files',
    gitCommands.changedTracked(Q),
    "git -C 'it'\\''s' status --porcelain --untracked-files=no"
  ],
  [
    'stash with a message',
    gitCommands.stash('/srv/app', `${Q} ${SUB}${NL}`),
    "git -C /srv/app stash push --message 'it'\\''s $(touch /tmp/pwned)a\nb'"
  ],
  [
    'fetch everything',
    gitCommands.fetchAll('/srv/app'),
    "git -C /srv/app fetch --force --prune --tags origin '+refs/heads/*:refs/remotes/origin/*'"
  ],
  [
    'fetch everything with credentials in secret env',
    gitCommands.fetchAll('/srv/app', credentials),
    "export GIT_TERMINAL_PROMPT=0 DEPLOYKIT_GIT_USERNAME='***' DEPLOYKIT_GIT_PASSWORD='***' && git -c credential.helper= -c 'credential.https://it'\\''s.helper=!f() { test \"$1\" = get || exit 0; printf '\\''%s\\n'\\'' \"username=$DEPLOYKIT_GIT_USERNAME\" \"password=$DEPLOYKIT_GIT_PASSWORD\"; }; f' -C /srv/app fetch --force --prune --tags origin '+refs/heads/*:refs/remotes/origin/*'"
  ],
  [
    'fetch a ref that looks like an option',
    gitCommands.fetchRef('/srv/app', '-x'),
    'git -C /srv/app fetch --force --end-of-options origin -x'
  ],
  [
    'fetch a ref with credentials',
    gitCommands.fetchRef(`/srv/${Q}`, SUB, credentials),
    "export GIT_TERMINAL_PROMPT=0 DEPLOYKIT_GIT_USERNAME='***' DEPLOYKIT_GIT_PASSWORD='***' && git -c credential.helper= -c 'credential.https://it'\\''s.helper=!f() { test \"$1\" = get || exit 0; printf '\\''%s\\n'\\'' \"username=$DEPLOYKIT_GIT_USERNAME\" \"password=$DEPLOYKIT_GIT_PASSWORD\"; }; f' -C '/srv/it'\\''s' fetch --force --end-of-options origin '$(touch /tmp/pwned)'"
  ],
  [
    'resolve a name to a commit',
    gitCommands.resolve('/srv/app', DASH),
    "git -C /srv/app rev-parse --verify --quiet --end-of-options '-rf^{commit}'"
  ],
  [
    'check out a full sha',
    gitCommands.checkout(`/srv/${NL}`, SHA),
    "git -C '/srv/a\nb' checkout --force --detach a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
  ],
  [
    'ancestry of two commits',
    ancestryCommand(`/srv/${Q}`, DASH, SUB),
    'sh -c \'git -C "$1" rev-parse --is-shallow-repository 2>/dev/null || { echo none; exit 0; }; for c in "$2" "$3"; do git -C "$1" rev-parse --verify --quiet --end-of-options "$c^{commit}" || echo; done; git -C "$1" merge-base --is-ancestor --end-of-options "$2" "$3" 2>/dev/null; echo $?; git -C "$1" merge-base --is-ancestor --end-of-options "$3" "$2" 2>/dev/null; echo $?\' sh \'/srv/it\'\\\'\'s\' -rf \'$(touch /tmp/pwned)\''
  ]
])

describe('git checkout', () => {
  it('refuses anything but a full sha, which git could take for an option', () => {
    expect(() => gitCommands.checkout('/srv/app', '--orphan=x')).toThrow(
      'refusing to check out "--orphan=x": not a full commit sha'
    )
  })
})
