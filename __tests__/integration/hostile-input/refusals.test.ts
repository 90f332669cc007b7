// The other half of the hostile-input property: where a value cannot be
// carried as data (a name with spaces, an option where a revision goes, a
// control character in an HTTP header), the settings refuse it with an error
// naming the input, before anything runs. Values the quoting layer cannot
// carry at all (a NUL) are refused by the transport, also checked here.
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readBuildSettings } from '../../../src/build-image/settings.js'
import { readCollectstaticSettings } from '../../../src/collectstatic/settings.js'
import { InputError } from '../../../src/core/errors.js'
import { InputReader, mapInputs } from '../../../src/core/inputs.js'
import { toShell } from '../../../src/core/remote-command.js'
import { readMigrateSettings } from '../../../src/migrate/settings.js'
import { readSmokeSettings } from '../../../src/smoke-check/settings.js'
import { parseEnvInput } from '../../../src/ssh-deploy/env-input.js'
import { gitCommands } from '../../../src/commands/git.js'
import { readDeploySettings, runContext } from '../../../src/ssh-deploy/settings.js'
import { NUL_VALUE } from '../../helpers/hostile-values.js'

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
const CONNECTION = {
  host: 'deploy@web1',
  key: KEY,
  'insecure-skip-host-key-check': 'true',
  'app-dir': '/srv/app'
}
const context = mkdtempSync(join(tmpdir(), 'deploykit-refusals-'))
mkdirSync(join(context, 'backend'))
writeFileSync(join(context, 'backend', 'Dockerfile'), 'FROM scratch AS app\n')
afterAll(() => rmSync(context, { recursive: true, force: true }))

const GIT = {
  sha: 'a'.repeat(40),
  ref: 'refs/heads/main',
  repository: 'acme/app',
  serverUrl: 'https://github.com',
  defaultBranch: 'main'
}

/** Each action's settings reader, with inputs that pass on their own. */
const READERS: Record<string, { base: Record<string, string>; read: (r: InputReader) => unknown }> =
  {
    'ssh-deploy': {
      base: CONNECTION,
      read: r => readDeploySettings(r, runContext({ GITHUB_SHA: 'f'.repeat(40) }))
    },
    migrate: { base: { ...CONNECTION, tool: 'alembic' }, read: readMigrateSettings },
    'migrate (django)': { base: CONNECTION, read: readMigrateSettings },
    'migrate (backup)': { base: { ...CONNECTION, backup: 'pg_dump' }, read: readMigrateSettings },
    collectstatic: { base: CONNECTION, read: readCollectstaticSettings },
    'smoke-check': { base: { urls: 'http://127.0.0.1/health' }, read: readSmokeSettings },
    'build-image': {
      base: { images: `backend=${join(context, 'backend')}`, registry: 'registry.example.com' },
      read: r => readBuildSettings(r, GIT)
    }
  }

const NAMES = ['a b', 'a;b', '$(id)', '`id`', "a'b", '-x', '--help', 'a\nb', '*', 'a\u0000b']

/** [action, input, values that must be refused, other inputs]. */
const MUST_REFUSE: Array<[string, string, string[], Record<string, string>?]> = [
  ['ssh-deploy', 'ref', [...NAMES, '--upload-pack=touch /tmp/x', 'a..b c']],
  ['ssh-deploy', 'rollback-to', NAMES],
  ['ssh-deploy', 'services', NAMES.filter(v => v !== 'a\nb')],
  ['ssh-deploy', 'wait-ignore', NAMES.filter(v => v !== 'a\nb')],
  ['ssh-deploy', 'proxy-service', NAMES],
  ['ssh-deploy', 'required-env', ['A B', 'A;B', '1A', '$X', 'A-B'], { 'env-file': '.env' }],
  ['ssh-deploy', 'env', ['A=a\rb', 'A=a\u0000b', 'A B=x', '$(id)=x'], { 'env-file': '.env' }],
  ['ssh-deploy', 'vars', ['A=a\rb', 'A=a\u0000b', 'A B=x'], { 'env-file': '.env' }],
  [
    'ssh-deploy',
    'images',
    ['web=$(id)@sha256:' + '0'.repeat(64), 'web=repo:latest', 'web=-x@sha256:' + '0'.repeat(64)],
    { 'env-file': '.env' }
  ],
  ['ssh-deploy', 'project-name', ['-x', '--help', '_x']],
  ['ssh-deploy', 'app-dir', ['srv/app', '$(id)', '~/app', '/srv/../etc', '-x']],
  ['ssh-deploy', 'compose-files', ['/etc/passwd', '../x.yml', 'a/../../x.yml']],
  ['ssh-deploy', 'env-file', ['/etc/passwd', '../.env']],
  ['ssh-deploy', 'username', NAMES],
  ['ssh-deploy', 'host', ['a b', 'h;id', '$(id)', '-oProxyCommand=x', 'h\u0000x', "h'x"]],
  ['ssh-deploy', 'port', ['22;id', '$(id)', '-1', '22 23']],
  ['ssh-deploy', 'source', ['git;x']],
  [
    'ssh-deploy',
    'registry',
    [...NAMES, 'https://ghcr.io', 'ghcr.io/org/', 'ghcr.io:22;id', 'ghcr.io -x'],
    { 'registry-password': 'pw-12345678', 'registry-username': 'u' }
  ],
  [
    'ssh-deploy',
    'registry-username',
    ['a\nb', 'a\rb', 'a\u0000b'],
    { registry: 'ghcr.io', 'registry-password': 'pw-12345678' }
  ],
  ['migrate', 'service', NAMES],
  [
    'migrate',
    'target',
    ['$(id)', 'a b', 'a;b', '`id`', "a'b", '--sql', '--help', '-x', '--tag=x', 'a\u0000b']
  ],
  [
    'migrate (django)',
    'target',
    ['shop; rm -rf /', '-x', 'shop -x', 'shop --fake', '$(id)', 'shop\n0001'],
    { direction: 'down' }
  ],
  ['migrate', 'python', ['a b', '$(id)', "py'", 'py;x', 'py\nx']],
  ['migrate', 'mode', ['exec;x', 'exec -d']],
  ['migrate', 'tool', ['django;x']],
  ['migrate (backup)', 'backup-service', NAMES],
  ['migrate (backup)', 'backup-database', NAMES],
  ['migrate (backup)', 'backup-user', NAMES],
  ['migrate (backup)', 'backup-dir', ['../x', '/srv/../x', 'a/../../x']],
  ['collectstatic', 'service', NAMES],
  ['collectstatic', 'settings', ['a b', '$(id)', '-x', 'a;b', "a'b", '--help']],
  ['collectstatic', 'python', ['a b', '$(id)', "py'", 'py;x']],
  [
    'smoke-check',
    'from',
    ['container:a b', 'container:-x', 'container:$(id)', 'container:a;b', 'server;x']
  ],
  [
    'smoke-check',
    'headers',
    ['X Y: v', '$(id): v', 'X: a\rb', 'X: a\u0000b', 'X: a\u001bb', 'no colon']
  ],
  [
    'smoke-check',
    'urls',
    ['ftp://x/', 'file:///etc/passwd', 'http://x/a\rb', '-x', '--config=/etc/passwd http://x/']
  ],
  ['build-image', 'registry', ['$(id)', 'a b', '-x', 'r;x', 'registry.example.com/$(id)']],
  ['build-image', 'images', ['A B=.', '$(x)=.', '-x=.', 'a;b=.']],
  ['build-image', 'tags', ['a b', '-x', '.x', '$(id)', 'a;b', "a'b"]],
  ['build-image', 'target', ['a b', '-x', '$(id)', 'a;b']],
  ['build-image', 'platforms', ['linux/$(id)', 'linux amd64', '-x', 'linux/amd64;x']],
  ['build-image', 'build-args', ['A B=x', '$(x)=y', '-x=y']],
  ['build-image', 'labels', ['$(x)=y', ' =y', '-x=y', 'a b=y']]
]

function refusal(
  action: string,
  input: string,
  value: string,
  extra: Record<string, string> = {}
): string {
  const { base, read } = READERS[action]
  const write = process.stdout.write
  process.stdout.write = (() => true) as typeof process.stdout.write
  try {
    read(mapInputs({ ...base, ...extra, [input]: value }))
  } catch (err) {
    return err instanceof InputError
      ? `${err.input}: ${err.message}`
      : `not an input error: ${String(err)}`
  } finally {
    process.stdout.write = write
  }
  return 'accepted'
}

describe('settings refuse what cannot be carried as data', () => {
  const table = MUST_REFUSE.flatMap(([action, input, values, extra]) =>
    values.map(value => [action, input, value, extra] as const)
  )

  it(`refuses each of ${table.length} values with an error naming the input`, () => {
    const wrong = table
      .map(([action, input, value, extra]) => ({
        action,
        input,
        value,
        got: refusal(action, input, value, extra)
      }))
      .filter(r => !r.got.startsWith(`${r.input}: Input '${r.input}'`))
    expect(wrong).toEqual([])
  })

  it('refuses a NUL in the transport, whatever carried it there (a release log on the server can)', () => {
    for (const cmd of [
      { argv: ['docker', 'tag', NUL_VALUE.value, 'x'] },
      { argv: ['true'], cwd: `/srv/${NUL_VALUE.value}` },
      { argv: ['true'], env: { DATABASE_URL: NUL_VALUE.value } }
    ]) {
      expect(() => toShell(cmd)).toThrow(/NUL/)
    }
  })

  it('refuses a checkout of anything but a full commit sha', () => {
    for (const v of ['-x', '--orphan=x', 'main', 'HEAD~1', `${'a'.repeat(40)} x`])
      expect(() => gitCommands.checkout('/srv/app', v)).toThrow(/not a full commit sha/)
  })

  it('refuses a CR or NUL in an env value, naming the key and not the value', () => {
    for (const value of ['a\rb', 'a\u0000b']) {
      expect(() => parseEnvInput(`SECRET=${value}`)).toThrow(
        /^Input 'env': the value of SECRET holds a/
      )
    }
  })
})
