import { describe, expect, it } from '@jest/globals'
import {
  MigrationSpec,
  migrationArgv,
  planArgvs,
  stateArgv
} from '../../../src/commands/migrate-tool.js'
import { readMigrateInputs as read } from '../../helpers/migrate-inputs.js'
import { inBackend } from '../../helpers/backend-service.js'

const spec = (extra: Partial<MigrationSpec>): MigrationSpec => ({
  tool: 'django',
  direction: 'up',
  target: '',
  command: '',
  downCommand: '',
  ...extra
})

describe('migration commands', () => {
  it.each<[string, string, string]>([
    [
      'django up',
      inBackend(migrationArgv(spec({}), 'python3')),
      'cd /srv/app && docker compose --project-name app exec -T backend python3 manage.py migrate --noinput'
    ],
    [
      'django to a migration',
      inBackend(migrationArgv(spec({ direction: 'down', target: 'shop 0001' }), 'python')),
      'cd /srv/app && docker compose --project-name app exec -T backend python manage.py migrate --noinput shop 0001'
    ],
    [
      'django back to zero',
      inBackend(migrationArgv(spec({ direction: 'down', target: 'shop zero' }), 'python')),
      'cd /srv/app && docker compose --project-name app exec -T backend python manage.py migrate --noinput shop zero'
    ],
    [
      'django with an interpreter path',
      inBackend(migrationArgv(spec({}), '/opt/venv/bin/python')),
      'cd /srv/app && docker compose --project-name app exec -T backend /opt/venv/bin/python manage.py migrate --noinput'
    ],
    [
      'django: a hostile target is split at spaces into arguments, none a shell word',
      inBackend(migrationArgv(spec({ target: "it's $(touch pwned)\n-x" }), 'python3')),
      "cd /srv/app && docker compose --project-name app exec -T backend python3 manage.py migrate --noinput 'it'\\''s' '$(touch' 'pwned)\n-x'"
    ],
    [
      'alembic up to head',
      inBackend(migrationArgv(spec({ tool: 'alembic', target: 'head' }), '')),
      'cd /srv/app && docker compose --project-name app exec -T backend alembic upgrade head'
    ],
    [
      'alembic down one step',
      inBackend(migrationArgv(spec({ tool: 'alembic', direction: 'down', target: '-1' }), '')),
      'cd /srv/app && docker compose --project-name app exec -T backend alembic downgrade -1'
    ],
    [
      'alembic: a hostile target stays one argument',
      inBackend(migrationArgv(spec({ tool: 'alembic', target: "it's $(id)\n--sql" }), '')),
      "cd /srv/app && docker compose --project-name app exec -T backend alembic upgrade 'it'\\''s $(id)\n--sql'"
    ],
    [
      "command up: the user's shell command, run by sh -c",
      inBackend(
        migrationArgv(
          spec({
            tool: 'command',
            command: './main migrate up',
            downCommand: './main migrate down'
          }),
          ''
        )
      ),
      "cd /srv/app && docker compose --project-name app exec -T backend sh -c './main migrate up'"
    ],
    [
      'command down',
      inBackend(
        migrationArgv(
          spec({
            tool: 'command',
            direction: 'down',
            command: './main migrate up',
            downCommand: './main migrate down'
          }),
          ''
        )
      ),
      "cd /srv/app && docker compose --project-name app exec -T backend sh -c './main migrate down'"
    ],
    [
      'command: quotes and newlines reach sh -c as one argument',
      inBackend(migrationArgv(spec({ tool: 'command', command: "echo 'a'\necho $(id)" }), '')),
      "cd /srv/app && docker compose --project-name app exec -T backend sh -c 'echo '\\''a'\\''\necho $(id)'"
    ]
  ])('%s', (_name, shell, expected) => {
    expect(shell).toBe(expected)
  })

  it('runs the service’s own command for tool: service, and reads no state but django’s and alembic’s', () => {
    expect(migrationArgv(spec({ tool: 'service' }), '')).toBeUndefined()
    expect(stateArgv('command', 'python3')).toBeUndefined()
    expect(stateArgv('service', 'python3')).toBeUndefined()
  })
})

describe('plan-only commands', () => {
  it.each<[string, string[], string[]]>([
    [
      'django plan',
      planArgvs(spec({ target: 'shop 0002' }), 'python3').map(inBackend),
      [
        'cd /srv/app && docker compose --project-name app exec -T backend python3 manage.py showmigrations --plan',
        'cd /srv/app && docker compose --project-name app exec -T backend python3 manage.py migrate --plan shop 0002'
      ]
    ],
    [
      'alembic plan up',
      planArgvs(spec({ tool: 'alembic', target: 'head' }), '').map(inBackend),
      [
        'cd /srv/app && docker compose --project-name app exec -T backend alembic current',
        'cd /srv/app && docker compose --project-name app exec -T backend alembic heads',
        'cd /srv/app && docker compose --project-name app exec -T backend alembic history -r current:head'
      ]
    ],
    [
      'alembic plan down',
      planArgvs(spec({ tool: 'alembic', direction: 'down', target: '-1' }), '').map(inBackend),
      [
        'cd /srv/app && docker compose --project-name app exec -T backend alembic current',
        'cd /srv/app && docker compose --project-name app exec -T backend alembic heads',
        'cd /srv/app && docker compose --project-name app exec -T backend alembic history -r -1:current'
      ]
    ],
    [
      'alembic plan with a hostile target',
      planArgvs(spec({ tool: 'alembic', target: "a'b $(id)" }), '').map(inBackend),
      [
        'cd /srv/app && docker compose --project-name app exec -T backend alembic current',
        'cd /srv/app && docker compose --project-name app exec -T backend alembic heads',
        "cd /srv/app && docker compose --project-name app exec -T backend alembic history -r 'current:a'\\''b $(id)'"
      ]
    ],
    [
      'no plan for command',
      planArgvs(spec({ tool: 'command', command: 'x' }), '').map(inBackend),
      []
    ],
    ['no plan for service', planArgvs(spec({ tool: 'service' }), '').map(inBackend), []]
  ])('%s', (_name, shells, expected) => {
    expect(shells).toEqual(expected)
  })
})

describe('revision reads', () => {
  it.each<[string, string, string]>([
    [
      'django state',
      inBackend(stateArgv('django', 'python3')),
      'cd /srv/app && docker compose --project-name app exec -T backend python3 manage.py showmigrations --plan'
    ],
    [
      'django state with a hostile interpreter',
      inBackend(stateArgv('django', "-py $(id)'")),
      "cd /srv/app && docker compose --project-name app exec -T backend '-py $(id)'\\''' manage.py showmigrations --plan"
    ],
    [
      'alembic state',
      inBackend(stateArgv('alembic', '')),
      'cd /srv/app && docker compose --project-name app exec -T backend alembic current'
    ]
  ])('%s', (_name, shell, expected) => {
    expect(shell).toBe(expected)
  })
})

describe('the tools’ argv from the settings', () => {
  it('builds each tool’s commands as argv', () => {
    expect(migrationArgv(read(), 'python3')).toEqual([
      'python3',
      'manage.py',
      'migrate',
      '--noinput'
    ])
    expect(migrationArgv(read({ direction: 'down', target: 'shop 0001' }), 'python')).toEqual([
      'python',
      'manage.py',
      'migrate',
      '--noinput',
      'shop',
      '0001'
    ])
    expect(migrationArgv(read({ tool: 'alembic', direction: 'down' }), '')).toEqual([
      'alembic',
      'downgrade',
      '-1'
    ])
    expect(migrationArgv(read({ tool: 'command', command: './main migrate up' }), '')).toEqual([
      'sh',
      '-c',
      './main migrate up'
    ])
    expect(migrationArgv(read({ tool: 'service' }), '')).toBeUndefined()
    expect(planArgvs(read({ tool: 'alembic' }), '')).toContainEqual([
      'alembic',
      'history',
      '-r',
      'current:head'
    ])
  })
})
