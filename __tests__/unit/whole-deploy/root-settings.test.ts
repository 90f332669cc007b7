import { describe, expect, it } from '@jest/globals'
import { mapInputs } from '../../../src/core/inputs.js'
import { readDeploySettings, runContext } from '../../../src/ssh-deploy/settings.js'
import {
  readRootSettings,
  rollbackDeploySettings
} from '../../../src/whole-deploy/root-settings.js'
import { DEPLOY_INPUTS } from '../../helpers/deploy-inputs.js'
import { captureOutput } from '../../helpers/capture-output.js'

const base = DEPLOY_INPUTS
const read = (extra: Record<string, string> = {}) =>
  readRootSettings(mapInputs({ ...base, ...extra }))

describe('readRootSettings', () => {
  it('plans only the deploy when no later stage is asked for', () => {
    const s = read()
    expect(s.migrate).toBeUndefined()
    expect(s.migrateDown).toBeUndefined()
    expect(s.collectstatic).toBeUndefined()
    expect(s.smoke).toBeUndefined()
    expect(s.migrateBeforeStart).toBe(false)
    expect(s.autoRollback).toBe(true)
    expect(s.deployment).toEqual({
      token: '',
      ref: s.deploy.ref,
      environment: 'production',
      url: '',
      logUrl: s.deploy.run.runUrl,
      description: 'deploy-kit'
    })
  })

  it('takes target: swarm with the smoke check and the migration, and refuses what needs Compose on the host', () => {
    const swarm = { target: 'swarm' }
    const url = 'postgresql://app:a-long-database-password@db.internal:5432/shop'
    const s = read({
      ...swarm,
      'smoke-urls': 'http://127.0.0.1/health',
      'smoke-from': 'server',
      'migrate-tool': 'alembic',
      'migrate-service': 'api',
      'migrate-down-target': '-1',
      backup: 'pg_dump',
      'backup-database-url': url
    })
    expect(s.deploy.target).toBe('swarm')
    expect(s.rollback.target).toBe('swarm')
    expect(s.smoke?.from).toEqual({ kind: 'server' })
    // The migration and its way down run in a one-off container made from the release's stack file.
    expect(s.migrate?.swarm).toEqual({ source: s.deploy.source })
    expect(s.migrateDown?.swarm).toEqual({ source: s.deploy.source })
    expect(s.migrate?.backup?.service).toBe('')
    expect(read({ 'migrate-tool': 'alembic' }).migrate?.swarm).toBeUndefined()
    const migrating = { ...swarm, 'migrate-tool': 'alembic' }
    expect(() => read({ ...migrating, 'migrate-mode': 'exec' })).toThrow(
      /^Input 'migrate-mode': is exec, and with target: swarm the migration runs in a one-off container/
    )
    expect(() => read({ ...migrating, 'migrate-before-start': 'true' })).toThrow(
      /^Input 'migrate-before-start': cannot be used with target: swarm yet/
    )
    expect(() => read({ ...migrating, backup: 'pg_dump' })).toThrow(
      /^Input 'backup': is pg_dump, and with target: swarm the dump needs backup-database-url/
    )
    expect(() =>
      read({ ...migrating, backup: 'pg_dump', 'backup-database-url': url, 'backup-service': 'db' })
    ).toThrow(/^Input 'backup-service': cannot be used with target: swarm/)
    expect(() => read({ ...migrating, 'restore-on-failure': 'true' })).toThrow(
      /^Input 'restore-on-failure': cannot be used with target: swarm yet/
    )
    expect(() => read({ ...swarm, collectstatic: 'true' })).toThrow(
      /^Input 'collectstatic': is true, and the collectstatic stage cannot run with target: swarm yet/
    )
    // The same inputs stay as they were with the compose target.
    expect(read({ 'migrate-tool': 'alembic', collectstatic: 'true' }).deploy.target).toBe('compose')
  })

  it('reads each stage under its prefix, with the fixed values of the root action', () => {
    const s = read({
      'migrate-tool': 'alembic',
      'migrate-service': 'api',
      'migrate-down-target': '-1',
      backup: 'pg_dump',
      collectstatic: 'true',
      'collectstatic-service': 'web',
      'smoke-urls': 'http://127.0.0.1/health',
      'smoke-from': 'server',
      timeout: '5',
      'auto-rollback': 'false',
      environment: 'staging'
    })
    expect(s.migrate).toMatchObject({ tool: 'alembic', service: 'api', direction: 'up' })
    expect(s.migrate?.backup).toBeDefined()
    expect(s.migrateDown).toMatchObject({ direction: 'down', target: '-1' })
    // A down-migration is preceded by a fresh backup, as the migration up is.
    expect(s.migrateDown?.backup).toEqual(s.migrate?.backup)
    expect(s.collectstatic).toMatchObject({ service: 'web', mode: 'exec', settings: '' })
    expect(s.smoke?.from).toEqual({ kind: 'server' })
    expect(s.smoke?.checks.map(c => c.url)).toEqual(['http://127.0.0.1/health'])
    expect(s.autoRollback).toBe(false)
    expect(s.deployment.environment).toBe('staging')
  })

  it('passes backup-artifact to the migration and the rollback’s down-migration, refused without backup-copy-to: runner', () => {
    const migrating = { 'migrate-tool': 'alembic', 'migrate-down-target': '-1', backup: 'pg_dump' }
    expect(() => read({ ...migrating, 'backup-artifact': 'true' })).toThrow(
      /^Input 'backup-artifact': true uploads the runner's copy of the dump, but backup-copy-to is none/
    )
    const saved = { ...process.env }
    Object.assign(process.env, {
      ACTIONS_RUNTIME_TOKEN: 'a.b.c',
      ACTIONS_RESULTS_URL: 'https://r/'
    })
    try {
      const s = read({ ...migrating, 'backup-copy-to': 'runner', 'backup-artifact': 'true' })
      expect(s.migrate?.backup).toMatchObject({ copyTo: 'runner', artifact: true })
      expect(s.migrateDown?.backup).toMatchObject({ copyTo: 'runner', artifact: true })
    } finally {
      delete process.env.ACTIONS_RUNTIME_TOKEN
      delete process.env.ACTIONS_RESULTS_URL
      Object.assign(process.env, saved)
    }
  })

  it('reads the connection once: every stage reaches the hosts the deploy does', () => {
    const s = read({
      'migrate-tool': 'django',
      'migrate-down-target': 'shop 0001',
      collectstatic: 'true',
      'smoke-urls': 'http://127.0.0.1/health',
      'smoke-from': 'container:web'
    })
    const { connection } = s.deploy
    expect(s.migrate?.connection).toBe(connection)
    expect(s.migrateDown?.connection).toBe(connection)
    expect(s.collectstatic?.connection).toBe(connection)
    expect(s.smoke?.remote?.connection).toBe(connection)
    expect(s.smoke?.remote?.app).toEqual(s.deploy.app)
    expect(s.rollback.connection).toBe(connection)
  })

  it('warns about an unchecked host key once', async () => {
    const { output } = await captureOutput(async () =>
      read({
        'known-hosts': '',
        'insecure-skip-host-key-check': 'true',
        'migrate-tool': 'alembic',
        'migrate-down-target': '-1',
        collectstatic: 'true',
        'smoke-urls': 'http://127.0.0.1/health',
        'smoke-from': 'server'
      })
    )
    const warnings = output.split('\n').filter(l => l.startsWith('::warning::insecure-skip'))
    expect(warnings).toHaveLength(1)
  })

  it('warns when a rollback would migrate down with no backup first, and only then', async () => {
    const noBackup =
      /^::warning::backup is none: if this deploy is rolled back, its down-migration runs with no backup/m
    const down = { 'migrate-tool': 'alembic', 'migrate-down-target': '-1' }
    expect((await captureOutput(async () => read(down))).output).toMatch(noBackup)
    for (const quiet of [
      { ...down, backup: 'pg_dump' },
      { ...down, 'auto-rollback': 'false' },
      { 'migrate-tool': 'alembic' }
    ])
      expect((await captureOutput(async () => read(quiet))).output).not.toMatch(noBackup)
  })

  it.each([
    [{ 'migrate-tool': 'command', 'migrate-command': './migrate up' }, false],
    [
      {
        'migrate-tool': 'command',
        'migrate-command': './migrate up',
        'migrate-down-command': './migrate down'
      },
      true
    ],
    [{ 'migrate-tool': 'alembic' }, false],
    [{ 'migrate-tool': 'alembic', 'migrate-down-target': '-1' }, true],
    [{ 'migrate-tool': 'none', 'migrate-down-target': '-1' }, false]
  ])('%j: a way down %s', (inputs, down) => {
    expect(read(inputs).migrateDown !== undefined).toBe(down)
  })

  it('leaves the smoke check from the runner without the servers', () => {
    const s = read({ 'smoke-urls': 'http://127.0.0.1/health' })
    expect(s.smoke?.from).toEqual({ kind: 'runner' })
    expect(s.smoke?.remote).toBeUndefined()
  })

  it.each([
    [{ 'rollback-to': 'previous' }, /^Input 'rollback-to': is for the ssh-deploy action/],
    [
      { 'migrate-before-start': 'true' },
      /^Input 'migrate-before-start': is true, but migrate-tool is none/
    ],
    [
      { 'migrate-before-start': 'true', 'migrate-tool': 'alembic' },
      /^Input 'migrate-before-start': needs migrate-mode: run/
    ],
    [{ 'migrate-tool': 'flyway' }, /^Input 'tool': "flyway" is not one of/],
    [{ collectstatic: 'maybe' }, /^Input 'collectstatic': "maybe" is not a boolean/],
    [{ 'auto-rollback': 'maybe' }, /^Input 'auto-rollback': "maybe" is not a boolean/],
    [{ 'smoke-urls': 'not a url' }, /^Input 'urls'/]
  ])('refuses %j', (inputs, message) => {
    expect(() => read(inputs)).toThrow(message)
  })

  it.each([
    [{ 'migrate-before-start': 'true', 'migrate-tool': 'alembic', 'migrate-mode': 'run' }],
    [{ 'migrate-before-start': 'true', 'migrate-tool': 'service' }]
  ])('migrates before the start with %j', inputs => {
    expect(read(inputs).migrateBeforeStart).toBe(true)
  })
})

describe('rollbackDeploySettings', () => {
  it('is the deploy settings read with the rollback values', () => {
    const run = runContext({ GITHUB_SHA: 'f'.repeat(40) })
    const inputs = {
      ...base,
      'env-file': '.env',
      vars: 'MODE=prod',
      env: 'TOKEN=abcdefghijklmnopqrstuvwxyz',
      'required-env': 'TOKEN',
      'pre-deploy': 'echo pre',
      'post-deploy': 'echo post',
      strategy: 'one-by-one',
      services: 'backend'
    }
    const deploy = readDeploySettings(mapInputs(inputs), run)
    const asRead = readDeploySettings(
      mapInputs({
        ...inputs,
        'rollback-to': 'previous',
        vars: '',
        env: '',
        images: '',
        'required-env': '',
        'pre-deploy': '',
        'post-deploy': ''
      }),
      run,
      deploy.connection
    )
    expect(rollbackDeploySettings(deploy)).toEqual(asRead)
  })
})
