// The config action: its action.yml offers every key of the config file as an input and an
// output, and it gives each key as the inputs over the file give it.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { CONFIG_FOLDER_ACTION, configFolderAction } from '../../../scripts/config-action.mjs'
import { resolveSettings } from '../../../src/config/settings.js'
import { CONFIG_KEYS } from '../../../src/core/app-config-keys.mjs'
import { mapInputs } from '../../../src/core/inputs.js'

type Action = { inputs: Record<string, unknown>; outputs: Record<string, unknown> }

describe('config/action.yml', () => {
  it('is what `npm run docs` writes from the root action.yml and the keys', () => {
    expect(parse(readFileSync(CONFIG_FOLDER_ACTION, 'utf8'))).toEqual(
      parse(configFolderAction(readFileSync('action.yml', 'utf8')))
    )
  })

  it('takes every key as an input, without a default, and gives it as an output', () => {
    const action = parse(readFileSync(CONFIG_FOLDER_ACTION, 'utf8')) as Action
    expect(Object.keys(action.inputs)).toEqual(['config', ...CONFIG_KEYS])
    expect(Object.keys(action.outputs)).toEqual(['config-file', 'from-file', ...CONFIG_KEYS])
    for (const input of Object.values(action.inputs)) expect(input).not.toHaveProperty('default')
  })
})

describe('resolving the settings', () => {
  let workspace: string
  const before = process.env.GITHUB_WORKSPACE
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'config-action-'))
    process.env.GITHUB_WORKSPACE = workspace
  })
  afterEach(() => {
    if (before === undefined) delete process.env.GITHUB_WORKSPACE
    else process.env.GITHUB_WORKSPACE = before
    rmSync(workspace, { recursive: true, force: true })
  })

  it('gives each key as the input, else the file, else empty, and names what the file gave', () => {
    mkdirSync(join(workspace, '.github'))
    writeFileSync(
      join(workspace, '.github', 'deploy-kit.yml'),
      'app-dir: /srv/shop\nstrategy: rolling\nmigrate-tool: alembic\nvars: { DEBUG: 0 }\n'
    )
    const s = resolveSettings(mapInputs({ strategy: 'recreate', host: 'deploy@web1' }))
    expect(s.config?.path).toBe('.github/deploy-kit.yml')
    expect(s.values).toEqual(
      expect.objectContaining({
        'app-dir': '/srv/shop',
        strategy: 'recreate',
        host: 'deploy@web1',
        'migrate-tool': 'alembic',
        vars: 'DEBUG=0',
        backup: ''
      })
    )
    expect(Object.keys(s.values)).toEqual([...CONFIG_KEYS])
    expect(s.fromFile).toEqual(['app-dir', 'migrate-tool', 'vars'])
  })

  it('gives the inputs alone without a file, and refuses a file with an unknown key', () => {
    expect(resolveSettings(mapInputs({ 'app-dir': '/srv/x' })).values['app-dir']).toBe('/srv/x')
    mkdirSync(join(workspace, '.github'))
    writeFileSync(join(workspace, '.github', 'deploy-kit.yml'), 'app-dri: /srv/shop\n')
    expect(() => resolveSettings(mapInputs({}))).toThrow('Did you mean app-dir?')
  })
})
