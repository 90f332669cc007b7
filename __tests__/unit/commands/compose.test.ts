import {
  COMPOSE_V1,
  COMPOSE_V2,
  composeCommand,
  composeCommands,
  ComposeProject,
  inService
} from '../../../src/commands/compose.js'
import { commandTable, Q, SUB, NL, DASH } from '../../helpers/command-text.js'

const project: ComposeProject = {
  binary: ['docker', 'compose'],
  dir: `/srv/${Q}`,
  files: [SUB, `deploy/${NL}.yml`],
  envFile: `/srv/${Q}/.env ${SUB}`,
  projectName: DASH
}
const bare: ComposeProject = {
  binary: ['docker-compose'],
  dir: '/srv/app',
  files: [],
  projectName: 'app'
}

commandTable('compose', [
  [
    'a project with hostile files, env file and name',
    composeCommand(project, ['up', '-d', NL]),
    "cd '/srv/it'\\''s' && docker compose --project-name -rf --file '$(touch /tmp/pwned)' --file 'deploy/a\nb.yml' --env-file '/srv/it'\\''s/.env $(touch /tmp/pwned)' up -d 'a\nb'"
  ],
  [
    'Compose v1 with its default file and no env file',
    composeCommand(bare, ['ps']),
    'cd /srv/app && docker-compose --project-name app ps'
  ],
  [
    'exec in a service, env passed by name only',
    inService(project, 'exec', DASH, ['manage.py', Q], ['PGPASSWORD']),
    "cd '/srv/it'\\''s' && docker compose --project-name -rf --file '$(touch /tmp/pwned)' --file 'deploy/a\nb.yml' --env-file '/srv/it'\\''s/.env $(touch /tmp/pwned)' exec -T -e PGPASSWORD -rf manage.py 'it'\\''s'"
  ],
  [
    'run in a new container',
    inService(bare, 'run', 'web', [SUB, '--', DASH]),
    "cd /srv/app && docker-compose --project-name app run --rm -T web '$(touch /tmp/pwned)' -- -rf"
  ],
  ['version of Compose v2', composeCommands.version(COMPOSE_V2), 'docker compose version'],
  ['version of Compose v1', composeCommands.version(COMPOSE_V1), 'docker-compose version'],
  [
    'python or python3 in a service',
    composeCommands.findPython(project, 'run', Q),
    "cd '/srv/it'\\''s' && docker compose --project-name -rf --file '$(touch /tmp/pwned)' --file 'deploy/a\nb.yml' --env-file '/srv/it'\\''s/.env $(touch /tmp/pwned)' run --rm -T 'it'\\''s' sh -c 'command -v python || command -v python3'"
  ],
  [
    'container ids of services',
    composeCommands.containerIds(project, [DASH, SUB]),
    "cd '/srv/it'\\''s' && docker compose --project-name -rf --file '$(touch /tmp/pwned)' --file 'deploy/a\nb.yml' --env-file '/srv/it'\\''s/.env $(touch /tmp/pwned)' ps -q -rf '$(touch /tmp/pwned)'"
  ],
  [
    "the project's services",
    composeCommands.services(bare),
    'cd /srv/app && docker-compose --project-name app config --services'
  ],
  [
    'container ids of every service',
    composeCommands.containerIds(bare, []),
    'cd /srv/app && docker-compose --project-name app ps -q'
  ],
  [
    'pull',
    composeCommands.pull(project, [DASH]),
    "cd '/srv/it'\\''s' && docker compose --project-name -rf --file '$(touch /tmp/pwned)' --file 'deploy/a\nb.yml' --env-file '/srv/it'\\''s/.env $(touch /tmp/pwned)' pull -rf"
  ],
  [
    'build',
    composeCommands.build(bare, [Q, NL]),
    "cd /srv/app && docker-compose --project-name app build 'it'\\''s' 'a\nb'"
  ],
  [
    'start what is not running',
    composeCommands.startMissing(project),
    "cd '/srv/it'\\''s' && docker compose --project-name -rf --file '$(touch /tmp/pwned)' --file 'deploy/a\nb.yml' --env-file '/srv/it'\\''s/.env $(touch /tmp/pwned)' up -d --no-recreate"
  ],
  [
    'up',
    composeCommands.up(project, [SUB]),
    "cd '/srv/it'\\''s' && docker compose --project-name -rf --file '$(touch /tmp/pwned)' --file 'deploy/a\nb.yml' --env-file '/srv/it'\\''s/.env $(touch /tmp/pwned)' up -d '$(touch /tmp/pwned)'"
  ],
  [
    'up of everything',
    composeCommands.up(bare, []),
    'cd /srv/app && docker-compose --project-name app up -d'
  ],
  [
    'one service alone',
    composeCommands.upAlone(project, DASH),
    "cd '/srv/it'\\''s' && docker compose --project-name -rf --file '$(touch /tmp/pwned)' --file 'deploy/a\nb.yml' --env-file '/srv/it'\\''s/.env $(touch /tmp/pwned)' up -d --no-deps -rf"
  ],
  [
    'scale beside the old container',
    composeCommands.scale(bare, 'backend', 2),
    'cd /srv/app && docker-compose --project-name app up --detach --no-deps --no-recreate --scale backend=2 backend'
  ],
  [
    'scale with a hostile service',
    composeCommands.scale(project, DASH, 1),
    "cd '/srv/it'\\''s' && docker compose --project-name -rf --file '$(touch /tmp/pwned)' --file 'deploy/a\nb.yml' --env-file '/srv/it'\\''s/.env $(touch /tmp/pwned)' up --detach --no-deps --no-recreate --scale -rf=1 -rf"
  ],
  [
    'start one service',
    composeCommands.start(project, Q),
    "cd '/srv/it'\\''s' && docker compose --project-name -rf --file '$(touch /tmp/pwned)' --file 'deploy/a\nb.yml' --env-file '/srv/it'\\''s/.env $(touch /tmp/pwned)' up --detach --no-deps 'it'\\''s'"
  ],
  [
    'reload the proxy (the script is code by design)',
    composeCommands.reload(project, DASH, 'nginx -s reload'),
    "cd '/srv/it'\\''s' && docker compose --project-name -rf --file '$(touch /tmp/pwned)' --file 'deploy/a\nb.yml' --env-file '/srv/it'\\''s/.env $(touch /tmp/pwned)' exec -T -rf sh -c 'nginx -s reload'"
  ]
])
