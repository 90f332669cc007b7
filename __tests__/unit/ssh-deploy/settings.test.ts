import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectFor } from '../../../src/server/compose.js'
import { composeCommand } from '../../../src/commands/compose.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { toShell } from '../../../src/core/remote-command.js'
import {
  describeEnvValues,
  envFileUpdates,
  registerEnvSecrets
} from '../../../src/ssh-deploy/env-values.js'
import {
  readDeploySettings,
  readLockRelease,
  runContext
} from '../../../src/ssh-deploy/settings.js'
import { captureOutput } from '../../helpers/capture-output.js'

const dir = mkdtempSync(join(tmpdir(), 'deploykit-settings-'))
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')])
const KEY = readFileSync(join(dir, 'id'), 'utf8')
const PUB = readFileSync(join(dir, 'id.pub'), 'utf8').split(' ').slice(0, 2).join(' ')
rmSync(dir, { recursive: true, force: true })

const run = runContext({
  GITHUB_SHA: 'f'.repeat(40),
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_RUN_ID: '42',
  GITHUB_ACTOR: 'octo'
})
const base = { host: 'deploy@web1', key: KEY, 'known-hosts': `web1 ${PUB}`, 'app-dir': '/srv/app' }
const read = (extra: Record<string, string> = {}) =>
  readDeploySettings(mapInputs({ ...base, ...extra }), run)

describe('ssh-deploy settings', () => {
  it('defaults to the workflow commit, git source and a project named after app-dir', () => {
    const s = read()
    expect(s).toMatchObject({
      source: 'git',
      ref: 'f'.repeat(40),
      keepReleases: 5,
      waitTimeoutMs: 300000,
      waitStableMs: 5000,
      lock: true
    })
    expect(s.app).toMatchObject({
      appDir: '/srv/app',
      projectName: 'app',
      composeChoice: 'auto',
      composeFiles: []
    })
    expect(s.run.runUrl).toBe('https://github.com/acme/app/actions/runs/42')
  })

  it.each([
    [{ 'app-dir': 'srv/app' }, /^Input 'app-dir': "srv\/app" is not an absolute path/],
    [
      { 'compose-files': '../other/compose.yml' },
      /^Input 'compose-files': "..\/other\/compose.yml" must be a path inside the app directory/
    ],
    [{ source: 'rsync' }, /^Input 'source': "rsync" is not one of git, upload, none/],
    [{ ref: '--upload-pack=evil' }, /^Input 'ref': "--upload-pack=evil" is not a git ref/],
    [{ env: 'APP_RELEASE v1' }, /^Input 'env': line 1 is not KEY=VALUE/],
    [{ vars: 'DEBUG' }, /^Input 'vars': line 1 is not KEY=VALUE/],
    [
      { images: `web=ghcr.io/acme/web@sha256:${'a'.repeat(64)}` },
      /^Input 'images': needs env-file: the digests are written there as NAME_IMAGE variables/
    ],
    [
      { 'required-env': 'OK, NOT-OK' },
      /^Input 'required-env': "NOT-OK" is not a valid variable name/
    ],
    [
      { services: 'web; rm -rf /' },
      /^Input 'services': "web; rm -rf \/" is not a valid service name/
    ],
    [
      { strategy: 'rolling' },
      /^Input 'services': is empty, and strategy: rolling replaces the services it names/
    ],
    [{ 'keep-releases': '0' }, /^Input 'keep-releases': "0" is not a whole number from 1 to 100/],
    [{ 'compose-command': 'podman-compose' }, /^Input 'compose-command'/],
    [{ 'wait-stable': 'soon' }, /^Input 'wait-stable': "soon" is not a duration/],
    [
      { 'wait-stable': '60', 'wait-timeout': '30' },
      /^Input 'wait-stable': 60s is not shorter than wait-timeout \(30s\): no container could be ready in time\. /
    ]
  ])('rejects %j before anything runs', (extra, message) => {
    expect(() => read(extra)).toThrow(message)
  })

  it('reads wait-stable in seconds; 0 turns the settle time off', () => {
    expect(read({ 'wait-stable': '0' }).waitStableMs).toBe(0)
    expect(read({ 'wait-stable': '2.5s' }).waitStableMs).toBe(2500)
    // Not given, with a short wait-timeout: half of it, so the wait can still end ready.
    expect(read({ 'wait-timeout': '6' }).waitStableMs).toBe(3000)
    expect(read({ 'wait-timeout': '60', 'wait-stable': '0' }).waitStableMs).toBe(0)
  })

  it('builds one Compose command line with every file, the env file and the project', () => {
    const s = read({
      'compose-files': 'deploy/docker-compose.prod.yml\ndeploy/override.yml',
      'env-file': '.env',
      'project-name': 'Salon GBP'
    })
    const project = projectFor(s.app, ['docker', 'compose'], '/srv/app')
    expect(toShell(composeCommand(project, ['up', '-d', '--build']))).toBe(
      'cd /srv/app && docker compose --project-name salongbp --file deploy/docker-compose.prod.yml --file deploy/override.yml --env-file /srv/app/.env up -d --build'
    )
  })
})

describe('vars (plain) and env (secret)', () => {
  const secret = `s3cret-${Math.random().toString(36).slice(2)}`
  const both = {
    'env-file': '.env',
    vars: 'DEBUG=1\nAPP_RELEASE=v1.2',
    env: `SECRET_KEY=${secret}`
  }

  it('reads vars as KEY=VALUE lines beside env, and merges both into the env file', () => {
    const s = read({
      ...both,
      images: `web=ghcr.io/acme/web@sha256:${'a'.repeat(64)}`
    })
    expect(s.vars).toEqual([
      ['DEBUG', '1'],
      ['APP_RELEASE', 'v1.2']
    ])
    expect(s.env).toEqual([['SECRET_KEY', secret]])
    expect(envFileUpdates(s)).toEqual([
      ['DEBUG', '1'],
      ['APP_RELEASE', 'v1.2'],
      ['SECRET_KEY', secret],
      ['WEB_IMAGE', `ghcr.io/acme/web@sha256:${'a'.repeat(64)}`]
    ])
  })

  it('refuses a key given in both, naming it and not its values', () => {
    const attempt = () =>
      read({ vars: 'DEBUG=1\nAPP_RELEASE=v1.2', env: `APP_RELEASE=${secret}\nDEBUG=0` })
    expect(attempt).toThrow(
      /^Input 'vars': DEBUG, APP_RELEASE are also set in env\. Give each key once: in vars when the value is plain, in env when it is secret$/
    )
    expect(() => read({ vars: 'DEBUG=1', env: 'DEBUG=1' })).toThrow(
      /^Input 'vars': DEBUG is also set in env\./
    )
  })

  it('masks env values and registers nothing for vars', async () => {
    const { output, error } = await captureOutput(async () => registerEnvSecrets(read(both).env))
    expect(error).toBeUndefined()
    expect(output).toContain(`::add-mask::${secret}\n`)
    // Reading the settings registers the ssh key too; of the env file's values, only the secret.
    const masks = output.split('\n').filter(line => line.startsWith('::add-mask::'))
    expect(masks).not.toContain('::add-mask::1')
    expect(masks).not.toContain('::add-mask::v1.2')
    expect(
      masks.filter(m => !KEY.includes(m.slice('::add-mask::'.length).replaceAll('%0A', '\n')))
    ).toEqual([`::add-mask::${secret}`])
    expect(output).not.toContain('::warning::')
  })

  it('warns about a short env value, naming its key but not the value, and suggests vars', async () => {
    const { output } = await captureOutput(async () =>
      registerEnvSecrets(read({ env: `LEVEL=q7\nSECRET_KEY=${secret}` }).env)
    )
    expect(output).toContain('::add-mask::q7\n')
    const warnings = output.split('\n').filter(line => line.startsWith('::warning::'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /^::warning::env: the value of LEVEL is shorter than 4 characters\. Masked as a secret, it hides its every occurrence in the log, and GitHub drops any job output that contains it .*If it is not secret, set it in vars instead \(vars: LEVEL=…\)\.$/
    )
    expect(warnings[0]).not.toContain('q7')
  })

  it('describes vars with their values and env by name only', () => {
    const text = describeEnvValues(read(both))
    expect(text).toBe('vars: DEBUG=1, APP_RELEASE=v1.2; env (secret): SECRET_KEY')
    expect(text).not.toContain(secret)
    // One log line per description: a line break cannot start a workflow command.
    expect(
      describeEnvValues({
        vars: [
          ['NOTE', 'a\n::warning::x'],
          ['PAD', ' hi ']
        ],
        env: []
      })
    ).toBe('vars: NOTE="a\\n::warning::x", PAD=" hi "')
    expect(describeEnvValues({ vars: [], env: [] })).toBe('')
  })
})

describe('readLockRelease', () => {
  it('reads the hosts and the app directory without its trailing slashes', () => {
    const s = readLockRelease(mapInputs({ ...base, 'app-dir': '/srv/app//' }))
    expect(s.appDir).toBe('/srv/app')
    expect(s.connection.targets.map(t => t.address.label)).toEqual(['deploy@web1'])
  })
})

describe('readDeploySettings with the connection read already', () => {
  it('uses that connection and reads no connection input', () => {
    const { connection } = read()
    const s = readDeploySettings(mapInputs({ 'app-dir': '/srv/app' }), run, connection)
    expect(s.connection).toBe(connection)
  })
})
