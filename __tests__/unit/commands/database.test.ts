import { describe, expect, it } from '@jest/globals'
import { DatabaseConnection, postgresClient } from '../../../src/commands/database.js'
import type { ComposeProject } from '../../../src/commands/compose.js'
import {
  describe as describeCommand,
  RemoteCommand,
  shellLaunch,
  toShell
} from '../../../src/core/remote-command.js'

const project: ComposeProject = {
  binary: ['docker', 'compose'],
  dir: '/srv/app',
  files: ['deploy/compose.yml'],
  envFile: '/srv/app/.env',
  projectName: 'app'
}

const db = (extra: Partial<DatabaseConnection> = {}): DatabaseConnection => ({
  service: 'db',
  database: 'shop',
  user: 'postgres',
  databaseUrl: '',
  password: '',
  ...extra
})

const PSQL = ['psql']

/** The log line: the shell text, with secret values as ***. */
const shown = (cmd: RemoteCommand) => (cmd.secretEnv?.length ? describeCommand(cmd) : toShell(cmd))

describe('postgresClient', () => {
  it.each<[string, RemoteCommand, string]>([
    [
      'psql in the db service, by user and database',
      postgresClient(db(), project, PSQL),
      'cd /srv/app && docker compose --project-name app --file deploy/compose.yml --env-file /srv/app/.env exec -T db psql -U postgres -d shop'
    ],
    [
      'psql on the server, by URL',
      postgresClient(
        db({ service: '', databaseUrl: 'postgresql://app@db.internal:5432/shop' }),
        project,
        PSQL
      ),
      'psql --dbname=postgresql://app@db.internal:5432/shop'
    ],
    [
      'a password on the server: PGPASSWORD, secret',
      postgresClient(
        db({ service: '', databaseUrl: 'postgresql://app@h/shop', password: 's3cret' }),
        project,
        PSQL
      ),
      "export PGPASSWORD='***' && psql --dbname=postgresql://app@h/shop"
    ],
    [
      'a password in the service: Compose passes PGPASSWORD on by name',
      postgresClient(
        db({ databaseUrl: 'postgresql://app@h/shop', password: 's3cret' }),
        project,
        PSQL
      ),
      "cd /srv/app && export PGPASSWORD='***' && docker compose --project-name app --file deploy/compose.yml --env-file /srv/app/.env exec -T -e PGPASSWORD db psql --dbname=postgresql://app@h/shop"
    ],
    [
      'a hostile password is never in the text',
      postgresClient(db({ password: "x' $(id)\n`id`" }), project, PSQL),
      "cd /srv/app && export PGPASSWORD='***' && docker compose --project-name app --file deploy/compose.yml --env-file /srv/app/.env exec -T -e PGPASSWORD db psql -U postgres -d shop"
    ],
    [
      'quotes and $() in user and database',
      postgresClient(db({ user: "it's", database: '$(touch pwned)' }), project, PSQL),
      "cd /srv/app && docker compose --project-name app --file deploy/compose.yml --env-file /srv/app/.env exec -T db psql -U 'it'\\''s' -d '$(touch pwned)'"
    ],
    [
      'a newline and a leading - in user and database',
      postgresClient(db({ user: 'a\nb', database: '-x' }), project, PSQL),
      "cd /srv/app && docker compose --project-name app --file deploy/compose.yml --env-file /srv/app/.env exec -T db psql -U 'a\nb' -d -x"
    ],
    [
      'a hostile URL stays one argument',
      postgresClient(
        db({ service: '', databaseUrl: "postgresql://h/db?application_name=it's $(id)\n" }),
        project,
        PSQL
      ),
      "psql '--dbname=postgresql://h/db?application_name=it'\\''s $(id)\n'"
    ],
    [
      'a service name is one argument (settings refuse a leading -)',
      postgresClient(db({ service: '-x $(id)' }), project, PSQL),
      "cd /srv/app && docker compose --project-name app --file deploy/compose.yml --env-file /srv/app/.env exec -T '-x $(id)' psql -U postgres -d shop"
    ]
  ])('%s', (_name, cmd, shell) => {
    expect(shown(cmd)).toBe(shell)
  })

  it('sends the password on standard input, never in the exec string', () => {
    const password = "x' $(id)\n`id`"
    const launch = shellLaunch(postgresClient(db({ password }), project, PSQL), { exec: true })
    expect(launch.script).not.toContain('$(id)')
    expect(String(launch.stdin)).toContain('$(id)')
  })
})
