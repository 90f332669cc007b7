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
        envText: 'K=v\n'
      },
      ['alembic', 'upgrade', SUB]
    ),
    "docker run --rm --env-file=/dev/stdin --label=deploy-kit.one-off=true --network=-rf '--mount=type=bind,source=/srv/$(touch /tmp/pwned),target=/app' --workdir=/app --user=1000 --entrypoint=tini -- 'reg/it'\\''s@sha256:1' -- alembic upgrade '$(touch /tmp/pwned)'"
  ],
  [
    'a one-off container with nothing but its image',
    swarmCommands.oneOff({ image: 'app', mounts: [], envText: '' }, ['true']),
    'docker run --rm --env-file=/dev/stdin --label=deploy-kit.one-off=true -- app true'
  ],
  [
    'deploy a stack',
    swarmCommands.deploy(`/srv/${Q}.json`, DASH),
    "docker stack deploy --with-registry-auth --prune --detach=true --compose-file '/srv/it'\\''s.json' -- -rf"
  ]
])
