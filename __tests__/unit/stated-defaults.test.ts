// An input that the app's config file may set has no `default:` in action.yml: the runner would
// pass that default as if the caller had given it, and the file's value could never apply. Its
// description states the default instead, and the code applies it. These tests prove the two
// agree: each action reads the same settings whether the stated defaults are given or not.
import { describe, expect, it } from '@jest/globals'
import { inputDefault, readAction } from '../../scripts/action-docs.mjs'
import { readCollectstaticSettings } from '../../src/collectstatic/settings.js'
import { InputReader, mapInputs } from '../../src/core/inputs.js'
import { readMigrateSettings } from '../../src/migrate/settings.js'
import { readSmokeCheckSettings } from '../../src/smoke-check/settings.js'
import { readSshSettings } from '../../src/ssh/settings.js'
import { readDeploySettings } from '../../src/ssh-deploy/settings.js'
import { COMPOSE_TARGET_INPUTS, UPDATE_POLICY_INPUTS } from '../../src/ssh-deploy/swarm/settings.js'
import { readRootSettings } from '../../src/whole-deploy/root-settings.js'
import { DEPLOY_INPUTS } from '../helpers/deploy-inputs.js'

const base = DEPLOY_INPUTS

type Action = { inputs: Record<string, { default?: unknown; description: string }> }

/** The defaults an action.yml states in its descriptions (not in `default:`). */
function statedDefaults(actionDir: string): Record<string, string> {
  const { inputs } = readAction(actionDir) as Action
  const stated: Record<string, string> = {}
  for (const [name, input] of Object.entries(inputs)) {
    if (input.default !== undefined) continue
    const { value } = inputDefault(input)
    if (value !== '') stated[name] = value
  }
  return stated
}

/** Settings without functions or timestamps that differ from one read to the next. */
function comparable(settings: unknown): unknown {
  return JSON.parse(
    JSON.stringify(settings, (key, value: unknown) =>
      key === 'releaseId' || key === 'startedAt' || typeof value === 'function' ? undefined : value
    )
  )
}

const CASES: [string, string, Record<string, string>, (read: InputReader) => unknown][] = [
  ['.', 'the root action, the deploy alone', {}, readRootSettings],
  [
    '.',
    'the root action, every stage',
    {
      'migrate-tool': 'alembic',
      'migrate-down-target': '-1',
      backup: 'pg_dump',
      collectstatic: 'true',
      'smoke-urls': 'https://shop.example.com/health'
    },
    readRootSettings
  ],
  ['ssh-deploy', 'ssh-deploy', {}, readDeploySettings],
  ['ssh-deploy', 'ssh-deploy with target: swarm', { target: 'swarm' }, readDeploySettings],
  ['.', 'the root action with target: swarm', { target: 'swarm' }, readRootSettings],
  ['migrate', 'migrate', { tool: 'alembic' }, read => readMigrateSettings(read)],
  ['collectstatic', 'collectstatic', {}, read => readCollectstaticSettings(read)],
  [
    'smoke-check',
    'smoke-check',
    { urls: 'https://shop.example.com/health' },
    read => readSmokeCheckSettings(read)
  ],
  ['ssh', 'ssh', { script: 'uptime' }, readSshSettings]
]

/** Each target refuses the other's inputs when given at all: the stated defaults given are its own. */
function forTarget(stated: Record<string, string>, extra: Record<string, string>) {
  const other: readonly string[] =
    extra.target === 'swarm' ? COMPOSE_TARGET_INPUTS : UPDATE_POLICY_INPUTS
  return Object.fromEntries(Object.entries(stated).filter(([name]) => !other.includes(name)))
}

describe('the defaults action.yml states are the ones the code applies', () => {
  it.each(CASES)('%s: %s', (actionDir, _name, extra, readSettings) => {
    const stated = forTarget(statedDefaults(actionDir), extra)
    if (actionDir === '.' || actionDir === 'ssh-deploy') expect(stated).toHaveProperty('strategy')
    expect(stated).toHaveProperty('port', '22')
    const without = comparable(readSettings(mapInputs({ ...base, ...extra })))
    const withStated = comparable(readSettings(mapInputs({ ...stated, ...base, ...extra })))
    expect(withStated).toEqual(without)
  })
})
