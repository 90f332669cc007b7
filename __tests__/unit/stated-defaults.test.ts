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

describe('the defaults action.yml states are the ones the code applies', () => {
  it.each(CASES)('%s: %s', (actionDir, _name, extra, readSettings) => {
    const stated = statedDefaults(actionDir)
    if (actionDir === '.' || actionDir === 'ssh-deploy') expect(stated).toHaveProperty('strategy')
    expect(stated).toHaveProperty('port', '22')
    const without = comparable(readSettings(mapInputs({ ...base, ...extra })))
    const withStated = comparable(readSettings(mapInputs({ ...stated, ...base, ...extra })))
    expect(withStated).toEqual(without)
  })
})
