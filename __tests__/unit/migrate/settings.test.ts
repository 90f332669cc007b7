import { describe, expect, it } from '@jest/globals'
import { readMigrateInputs as read } from '../../helpers/migrate-inputs.js'

describe('migrate settings', () => {
  it('fills each tool’s defaults', () => {
    expect(read()).toMatchObject({
      tool: 'django',
      service: 'backend',
      mode: 'exec',
      direction: 'up',
      target: ''
    })
    expect(read({ tool: 'alembic' }).target).toBe('head')
    expect(read({ tool: 'alembic', direction: 'down' }).target).toBe('-1')
    expect(read({ tool: 'alembic', direction: 'down', target: '-2' }).target).toBe('-2')
    expect(read({ tool: 'service' }).service).toBe('migrator')
    expect(read({ backup: 'pg_dump' }).backup).toEqual({
      service: 'db',
      database: 'postgres',
      user: 'postgres',
      databaseUrl: '',
      password: '',
      dir: '/srv/app/backups',
      keep: 10,
      verify: 'restore',
      copyTo: 'none',
      artifact: false,
      artifactRetentionDays: 0
    })
    expect(
      read({ backup: 'pg_dump', 'backup-verify': 'integrity', 'backup-copy-to': 'runner' }).backup
    ).toMatchObject({ verify: 'integrity', copyTo: 'runner' })
  })

  it.each([
    [{ tool: 'flyway' }, /^Input 'tool': "flyway" is not one of django, alembic, command, service/],
    [{ tool: 'command' }, /^Input 'command': is empty but tool is command/],
    [
      { tool: 'command', command: 'x', direction: 'down' },
      /^Input 'down-command': is empty but direction is down/
    ],
    [
      { tool: 'service', direction: 'down' },
      /^Input 'direction': down is not possible with tool: service/
    ],
    [{ direction: 'down' }, /^Input 'target': is needed to migrate Django down/],
    [
      { target: 'shop; rm -rf /' },
      /^Input 'target': "shop; rm -rf \/" is not "app" or "app migration"/
    ],
    [
      { tool: 'alembic', target: '$(id)' },
      /^Input 'target': "\$\(id\)" is not an Alembic revision/
    ],
    [{ tool: 'alembic', target: '--sql' }, /^Input 'target': "--sql" is not an Alembic revision/],
    [{ tool: 'alembic', target: '-x' }, /^Input 'target': "-x" is not an Alembic revision/],
    [{ service: 'back end' }, /^Input 'service': "back end" is not a Compose service name/],
    [{ backup: 'pg_dump', 'backup-database': "app'; drop" }, /^Input 'backup-database'/],
    [{ backup: 'mysqldump' }, /^Input 'backup': "mysqldump" is not one of none, pg_dump/],
    [{ python: 'python3 -c evil' }, /^Input 'python'/],
    [
      { backup: 'pg_dump', 'backup-verify': 'gzip' },
      /^Input 'backup-verify': "gzip" is not one of restore, integrity, none/
    ],
    [
      { backup: 'pg_dump', 'backup-copy-to': 's3' },
      /^Input 'backup-copy-to': "s3" is not one of none, runner/
    ],
    [
      { backup: 'pg_dump', 'backup-verify': 'none', 'backup-copy-to': 'runner' },
      /^Input 'backup-copy-to': runner copies a verified dump, but backup-verify is none/
    ],
    [
      { backup: 'pg_dump', 'backup-artifact': 'true' },
      /^Input 'backup-artifact': true uploads the runner's copy of the dump, but backup-copy-to is none\. Add backup-copy-to: runner/
    ],
    [
      { 'backup-artifact': 'true', 'backup-copy-to': 'runner' },
      /^Input 'backup-artifact': true uploads a dump, but backup is none/
    ],
    [
      { backup: 'pg_dump', 'backup-copy-to': 'runner', 'backup-artifact': 'sure' },
      /^Input 'backup-artifact': "sure" is not a boolean/
    ],
    [
      { backup: 'pg_dump', 'backup-copy-to': 'runner', 'backup-artifact-retention-days': '7' },
      /^Input 'backup-artifact-retention-days': is set, but backup-artifact is not true/
    ]
  ])('rejects %j', (extra, message) => {
    expect(() => read(extra)).toThrow(message)
  })
})

describe('backup-artifact', () => {
  const upload = {
    backup: 'pg_dump',
    'backup-copy-to': 'runner',
    'backup-artifact': 'true'
  }
  const service = {
    ACTIONS_RUNTIME_TOKEN: 'a.b.c',
    ACTIONS_RESULTS_URL: 'https://results.example/'
  }
  const inJob = <T>(env: Record<string, string>, f: () => T): T => {
    const saved = { ...process.env }
    Object.assign(process.env, env)
    try {
      return f()
    } finally {
      for (const name of Object.keys(env)) delete process.env[name]
      Object.assign(process.env, saved)
    }
  }

  it('is off by default, and on with backup-copy-to: runner in a GitHub Actions job', () => {
    expect(read({ backup: 'pg_dump', 'backup-copy-to': 'runner' }).backup).toMatchObject({
      artifact: false
    })
    expect(inJob(service, () => read(upload).backup)).toMatchObject({
      copyTo: 'runner',
      artifact: true,
      artifactRetentionDays: 0
    })
    expect(
      inJob(service, () => read({ ...upload, 'backup-artifact-retention-days': '90' }).backup)
    ).toMatchObject({ artifactRetentionDays: 90 })
  })

  it.each(['0', '91', '7d'])('refuses backup-artifact-retention-days: %s', days => {
    expect(() =>
      inJob(service, () => read({ ...upload, 'backup-artifact-retention-days': days }))
    ).toThrow(/^Input 'backup-artifact-retention-days'/)
  })

  it('says outside a GitHub Actions job that the artifact service cannot be reached', () => {
    expect(() =>
      inJob({ ACTIONS_RESULTS_URL: service.ACTIONS_RESULTS_URL }, () => read(upload))
    ).toThrow(
      /^Input 'backup-artifact': ACTIONS_RUNTIME_TOKEN is not set: workflow artifacts can be uploaded only from a GitHub Actions job$/
    )
    const saved = { ...process.env }
    delete process.env.ACTIONS_RUNTIME_TOKEN
    delete process.env.ACTIONS_RESULTS_URL
    try {
      expect(() => read(upload)).toThrow(
        /^Input 'backup-artifact': ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set/
      )
    } finally {
      Object.assign(process.env, saved)
    }
  })
})

describe('migrate-host', () => {
  const hosts = { host: 'deploy@web1, deploy@web2:2222, ops@web3' }
  const chosen = (value: string) =>
    read({ ...hosts, 'migrate-host': value }).migrateHost.address.label

  it('is the first host unless it names another of them', () => {
    expect(read(hosts).migrateHost.address.label).toBe('deploy@web1')
    expect(chosen('web2')).toBe('deploy@web2:2222')
    expect(chosen('deploy@web2:2222')).toBe('deploy@web2:2222')
    expect(chosen('ops@web3')).toBe('ops@web3')
  })

  it('refuses a host that is not one of them, or names several', () => {
    expect(() => read({ ...hosts, 'migrate-host': 'db1' })).toThrow(
      /'migrate-host': "db1" is not one of the hosts \(deploy@web1, deploy@web2:2222, ops@web3\)/
    )
    expect(() => read({ host: 'a@web1, b@web1', 'migrate-host': 'web1' })).toThrow(
      /'migrate-host': "web1" names several hosts/
    )
  })
})
