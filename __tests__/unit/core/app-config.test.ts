// The app's config file (.github/deploy-kit.yml): read, checked, and layered under the inputs.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  loadAppConfig,
  parseAppConfig,
  readWithAppConfig,
  withAppConfig
} from '../../../src/core/app-config.js'
import { CONFIG_KEYS, NOT_IN_CONFIG } from '../../../src/core/app-config-keys.mjs'
import { mapInputs } from '../../../src/core/inputs.js'
import { readAppSettings } from '../../../src/core/app-settings.js'
import { readChoice } from '../../../src/core/inputs.js'
import { readAction } from '../../../scripts/action-docs.mjs'
import { CONFIG_SCHEMA_FILE, configSchema } from '../../../scripts/config-schema.mjs'
import { CONFIG_READING_DIRS } from '../../../scripts/connection-inputs.mjs'
import { parse } from 'yaml'

const PATH = '.github/deploy-kit.yml'

describe('parsing the config file', () => {
  it('gives each key as an input would: text, numbers and booleans as written, lists as lines', () => {
    const values = parseAppConfig(
      [
        '# yaml-language-server: $schema=https://example.com/deploy-kit.schema.json',
        'host:',
        '  - deploy@web1.example.com',
        '  - deploy@web2.example.com:2222',
        'app-dir: /srv/shop',
        'keep-releases: 7',
        'auto-rollback: false',
        'compose-files: [compose.yml, compose.prod.yml]',
        'smoke-urls: |',
        '  https://shop.example.com/health',
        ''
      ].join('\n'),
      PATH
    )
    expect(values).toEqual({
      host: 'deploy@web1.example.com\ndeploy@web2.example.com:2222',
      'app-dir': '/srv/shop',
      'keep-releases': '7',
      'auto-rollback': 'false',
      'compose-files': 'compose.yml\ncompose.prod.yml',
      'smoke-urls': 'https://shop.example.com/health\n'
    })
  })

  it('takes vars as a mapping of names to values, or as KEY=VALUE lines', () => {
    expect(parseAppConfig('vars:\n  DEBUG: 0\n  APP_NAME: shop\n', PATH)).toEqual({
      vars: 'DEBUG=0\nAPP_NAME=shop'
    })
    expect(parseAppConfig('vars: [DEBUG=0, APP_NAME=shop]\n', PATH)).toEqual({
      vars: 'DEBUG=0\nAPP_NAME=shop'
    })
  })

  it('reads the examples’ config files', () => {
    const files = readdirSync('examples', { recursive: true, encoding: 'utf8' }).filter(f =>
      f.endsWith('deploy-kit.yml')
    )
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) {
      const values = parseAppConfig(readFileSync(join('examples', file), 'utf8'), file)
      expect([file, Object.keys(values).length > 3]).toEqual([file, true])
    }
  })

  it('reads an empty file as no settings', () => {
    expect(parseAppConfig('', PATH)).toEqual({})
    expect(parseAppConfig('# nothing yet\n', PATH)).toEqual({})
  })

  it('refuses a key it does not know, naming its line and the key meant', () => {
    expect(() => parseAppConfig('app-dir: /srv/shop\nstratgy: rolling\n', PATH)).toThrow(
      'Input \'config\': .github/deploy-kit.yml line 2: "stratgy" is not a deploy-kit setting. Did you mean strategy?'
    )
    expect(() => parseAppConfig('flavour: mint\n', PATH)).toThrow(
      '"flavour" is not a deploy-kit setting. The keys are the inputs’ names; see deploy-kit.schema.json'
    )
  })

  it('refuses a secret, and says where it goes instead', () => {
    for (const key of ['key', 'password', 'registry-password', 'env']) {
      expect(() => parseAppConfig(`${key}: x\n`, PATH)).toThrow(
        `line 1: ${key} ${NOT_IN_CONFIG[key]}, so it cannot be in the config file. Pass it as an input from a secret`
      )
    }
  })

  it('refuses a per-run setting and the GitHub environment', () => {
    expect(() => parseAppConfig('ref: main\n', PATH)).toThrow(
      'ref is chosen per run, so it cannot be in the config file. Pass it as an input of the step or the workflow'
    )
    expect(() => parseAppConfig('environment: staging\n', PATH)).toThrow(
      'environment names the GitHub environment'
    )
  })

  it('refuses a key given twice, an empty value, a mapping and bad YAML, naming the line', () => {
    expect(() => parseAppConfig('strategy: rolling\nstrategy: recreate\n', PATH)).toThrow(
      /line 2: Map keys must be unique/
    )
    expect(() => parseAppConfig('app-dir: /srv\nstrategy:\n', PATH)).toThrow(
      'line 2: strategy has no value. Give it a value, or leave the key out'
    )
    expect(() => parseAppConfig('strategy:\n  kind: rolling\n', PATH)).toThrow(
      'line 1: strategy is a mapping. Give a value, or a list of values'
    )
    expect(() => parseAppConfig('host: [a, [b]]\n', PATH)).toThrow(
      'line 1: host is a list of something other than values'
    )
    expect(() => parseAppConfig('app-dir: "/srv\n', PATH)).toThrow(
      /config.: .github\/deploy-kit.yml line \d+: Missing closing "quote. Fix the YAML/
    )
    expect(() => parseAppConfig('- host\n', PATH)).toThrow('is not a mapping of settings')
  })
})

describe('the keys of the config file', () => {
  const root = readAction('.') as { inputs: Record<string, { default?: unknown }> }

  it('are the root action’s inputs but the refused ones, each of them an input', () => {
    const inputs = Object.keys(root.inputs)
    expect([...CONFIG_KEYS, ...Object.keys(NOT_IN_CONFIG)].sort()).toEqual([...inputs].sort())
    expect(CONFIG_KEYS.filter(key => key in NOT_IN_CONFIG)).toEqual([])
  })

  it('have no default in the action.yml of an action that reads the file: the runner would pass it as given', () => {
    for (const dir of CONFIG_READING_DIRS) {
      const { inputs } = readAction(dir) as { inputs: Record<string, { default?: unknown }> }
      const masking = CONFIG_KEYS.filter(key => String(inputs[key]?.default ?? '') !== '')
      expect([dir, masking]).toEqual([dir, []])
    }
  })

  it('reach the root action empty from deploy.yml unless the caller gives them', () => {
    const workflow = parse(readFileSync('.github/workflows/deploy.yml', 'utf8')) as {
      on: { workflow_call: { inputs: Record<string, { default?: unknown; required?: boolean }> } }
      jobs: { deploy: { steps: { uses?: string; with?: Record<string, string> }[] } }
    }
    const given = workflow.on.workflow_call.inputs
    const step = workflow.jobs.deploy.steps.find(s => s.uses === '$/deploy')!
    const passed = Object.entries(step.with ?? {})
      .filter(([key, value]) => CONFIG_KEYS.includes(key) && value === `\${{ inputs.${key} }}`)
      .map(([key]) => key)
    expect(passed.length).toBeGreaterThan(60)
    const masking = passed.filter(
      key => String(given[key]?.default ?? '') !== '' || given[key]?.required
    )
    expect(masking).toEqual([])
    expect(step.with?.config).toBe('${{ inputs.config }}')
  })

  it('are what deploy-kit.schema.json lists, as `npm run docs` writes it', () => {
    const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as ReturnType<
      typeof configSchema
    >
    expect(schema).toEqual(configSchema(root))
    expect(Object.keys(schema.properties).sort()).toEqual([...CONFIG_KEYS].sort())
    expect(schema.additionalProperties).toBe(false)
    expect(schema.properties.strategy.default).toBe('recreate')
    expect(schema.properties['keep-releases'].default).toBe(5)
    expect(schema.properties['auto-rollback'].default).toBe(true)
  })
})

describe('finding the config file', () => {
  let workspace: string
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'app-config-'))
  })
  afterEach(() => rmSync(workspace, { recursive: true, force: true }))

  const write = (path: string, text: string) => {
    mkdirSync(join(workspace, path, '..'), { recursive: true })
    writeFileSync(join(workspace, path), text)
  }

  it('reads .github/deploy-kit.yml when it exists, and nothing when it does not', () => {
    expect(loadAppConfig(mapInputs({}), { workspace, quiet: true })).toBeUndefined()
    write(PATH, 'app-dir: /srv/shop\n')
    expect(loadAppConfig(mapInputs({}), { workspace, quiet: true })).toEqual({
      path: PATH,
      values: { 'app-dir': '/srv/shop' }
    })
  })

  it('reads the file config names, and refuses one that is not there', () => {
    write('deploy/staging.yml', 'app-dir: /srv/staging\n')
    expect(
      loadAppConfig(mapInputs({ config: 'deploy/staging.yml' }), { workspace, quiet: true })?.values
    ).toEqual({ 'app-dir': '/srv/staging' })
    expect(() =>
      loadAppConfig(mapInputs({ config: 'deploy/prod.yml' }), { workspace, quiet: true })
    ).toThrow(
      `Input 'config': no file at deploy/prod.yml (in ${workspace}). Check out the repository first (actions/checkout), or fix the path; config: none reads no file`
    )
    expect(() =>
      loadAppConfig(mapInputs({ config: 'deploy' }), { workspace, quiet: true })
    ).toThrow('deploy is not a file')
  })

  it('reads no file with config: none', () => {
    write(PATH, 'stratgy: rolling\n')
    expect(loadAppConfig(mapInputs({ config: 'none' }), { workspace, quiet: true })).toBeUndefined()
  })
})

describe('the inputs over the config file', () => {
  const config = {
    path: PATH,
    values: { 'app-dir': '/srv/from-file', strategy: 'rolling', vars: 'A=1\nB= two ' }
  }

  it('takes a given input over the key, the key over nothing', () => {
    const read = withAppConfig(mapInputs({ strategy: 'recreate', host: 'h' }), config)
    expect(read('strategy')).toBe('recreate')
    expect(read('app-dir')).toBe('/srv/from-file')
    expect(read('host')).toBe('h')
    expect(read('services')).toBe('')
  })

  it('keeps the whitespace of a key when the reader asks for it', () => {
    const read = withAppConfig(mapInputs({}), config)
    expect(read('vars', { keepWhitespace: true })).toBe('A=1\nB= two ')
    expect(read('vars')).toBe('A=1\nB= two')
  })

  it('says which file a bad value came from, and not when the input gave it', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'app-config-'))
    const before = process.env.GITHUB_WORKSPACE
    process.env.GITHUB_WORKSPACE = workspace
    try {
      mkdirSync(join(workspace, '.github'))
      writeFileSync(join(workspace, PATH), 'strategy: sideways\napp-dir: srv\n')
      const strategy = (read: Parameters<typeof readAppSettings>[0]) =>
        readChoice(read, 'strategy', ['recreate', 'rolling'], 'recreate')
      expect(() => readWithAppConfig(mapInputs({}), strategy, { quiet: true })).toThrow(
        `Input 'strategy': "sideways" is not one of recreate, rolling (the value is from ${PATH})`
      )
      expect(() =>
        readWithAppConfig(mapInputs({ strategy: 'up' }), strategy, { quiet: true })
      ).toThrow(/^Input 'strategy': "up" is not one of recreate, rolling$/)
      expect(() => readWithAppConfig(mapInputs({}), readAppSettings, { quiet: true })).toThrow(
        `(the value is from ${PATH})`
      )
      // A setting that neither gives: the error says where it may go.
      writeFileSync(join(workspace, PATH), 'strategy: rolling\n')
      expect(() => readWithAppConfig(mapInputs({}), readAppSettings, { quiet: true })).toThrow(
        `Input 'app-dir': is empty. Set it to the app directory on the server, e.g. /srv/app (as an input, or as app-dir in ${PATH})`
      )
      rmSync(join(workspace, PATH))
      expect(() => readWithAppConfig(mapInputs({}), readAppSettings, { quiet: true })).toThrow(
        `(as an input, or as app-dir in ${PATH})`
      )
    } finally {
      if (before === undefined) delete process.env.GITHUB_WORKSPACE
      else process.env.GITHUB_WORKSPACE = before
      rmSync(workspace, { recursive: true, force: true })
    }
  })
})
