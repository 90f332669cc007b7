import { swarmCommands } from '../../../src/commands/swarm.js'
import { commandTable, Q, SUB, DASH } from '../../helpers/command-text.js'

commandTable('swarm', [
  [
    'a one-off container of a stack service, its environment on stdin',
    swarmCommands.oneOff(
      {
        image: `reg/${Q}@sha256:1`,
        network: DASH,
        mounts: [`type=bind,source=/srv/${SUB},target=/app`],
        workingDir: '/app',
        user: '1000',
        entrypoint: ['tini', '--'],
        envFile: `/srv/${Q}/.deploy-kit/one-off-r1.env`,
        envText: 'K=v\n'
      },
      ['alembic', 'upgrade', SUB]
    ),
    "sh -c 'umask 077; set -e; f=$1; shift; rm -f -- \"$f\"; trap '\\''rm -f -- \"$f\"'\\'' EXIT; cat > \"$f\"; docker run --rm --env-file \"$f\" \"$@\" < /dev/null' sh '/srv/it'\\''s/.deploy-kit/one-off-r1.env' --label=deploy-kit.one-off=true --network=-rf '--mount=type=bind,source=/srv/$(touch /tmp/pwned),target=/app' --workdir=/app --user=1000 --entrypoint=tini -- 'reg/it'\\''s@sha256:1' -- alembic upgrade '$(touch /tmp/pwned)'"
  ],
  [
    'a one-off container with nothing but its image',
    swarmCommands.oneOff({ image: 'app', mounts: [], envFile: '/e', envText: '' }, ['true']),
    'sh -c \'umask 077; set -e; f=$1; shift; rm -f -- "$f"; trap \'\\\'\'rm -f -- "$f"\'\\\'\' EXIT; cat > "$f"; docker run --rm --env-file "$f" "$@" < /dev/null\' sh /e --label=deploy-kit.one-off=true -- app true'
  ],
  [
    'deploy a stack',
    swarmCommands.deploy(`/srv/${Q}.json`, DASH),
    "docker stack deploy --with-registry-auth --prune --detach=true --compose-file '/srv/it'\\''s.json' -- -rf"
  ]
])
