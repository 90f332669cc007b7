import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import {
  ACTION_DIRS,
  expectedInputRows,
  readAction,
  readmeInputRows
} from '../../scripts/action-docs.mjs'
import {
  CONFIG_READING_DIRS,
  CONNECTION_ACTION_DIRS,
  connectionInputs,
  readConnectionSource,
  withConnectionInputs
} from '../../scripts/connection-inputs.mjs'
import { DEPLOY_FOLDER_ACTION, deployFolderAction } from '../../scripts/deploy-action.mjs'
import { ACTIONS } from '../../scripts/actions.mjs'
import { parse } from 'yaml'

type Action = {
  name: string
  description: string
  branding?: { icon?: string; color?: string }
  inputs: Record<string, { description?: string; required?: boolean; default?: unknown }>
  outputs?: Record<string, { description?: string }>
  runs: { using: string; main: string }
}

const actions = ACTION_DIRS.map((dir: string) => [dir, readAction(dir) as Action] as const)

// The connection inputs DESIGN.md's contract names; scripts/connection-inputs.yml holds them and more.
const CONNECTION = [
  'host',
  'port',
  'username',
  'key',
  'key-path',
  'passphrase',
  'password',
  'known-hosts',
  'fingerprint',
  'insecure-skip-host-key-check',
  'proxy-host',
  'proxy-port',
  'proxy-username',
  'proxy-key',
  'proxy-known-hosts',
  'connect-timeout',
  'command-timeout',
  'max-parallel'
]

describe.each(actions)('%s/action.yml', (dir, action) => {
  it('has a name, a description, branding and the node24 runtime', () => {
    expect(action.name).toMatch(/^deploy-kit/)
    expect(action.description.length).toBeGreaterThan(20)
    expect(action.branding).toEqual({ icon: expect.any(String), color: expect.any(String) })
    expect(action.runs.using).toBe('node24')
  })

  it('points at a bundle built from an entry in src/', () => {
    const main = join(dir, action.runs.main)
    expect(main).toMatch(/^dist\/[a-z-]+\/index\.js$/)
    expect(existsSync(main)).toBe(true)
    const name = main.split('/')[1]
    const source = ACTIONS.find(a => a.name === name)?.source
    expect(source).toBeDefined()
    expect(existsSync(`src/${source}/index.ts`)).toBe(true)
  })

  it('describes every input and output, with a default (in `default:` or its description) unless required', () => {
    for (const [name, input] of Object.entries(action.inputs)) {
      expect([name, typeof input.description]).toEqual([name, 'string'])
      // `host` of an action that reads the config file: the file may give it, and the action
      // says so when neither does.
      const fromConfigFile = name === 'host' && CONFIG_READING_DIRS.includes(dir)
      // The config action's inputs: empty means the config file's key.
      const overridesFile = / Overrides the file's `[^`]+`\.$/.test(String(input.description))
      if (!input.required && input.default === undefined && !fromConfigFile && !overridesFile)
        expect([name, input.description]).toEqual([
          name,
          expect.stringMatching(/ Default: `[^`]*`\.$/)
        ])
    }
    for (const [name, output] of Object.entries(action.outputs ?? {})) {
      expect([name, typeof output.description]).toEqual([name, 'string'])
    }
  })

  it('has a README whose inputs table matches action.yml', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8')
    expect(readmeInputRows(readme)).toEqual(expectedInputRows(action))
  })
})

describe('connection inputs', () => {
  const source = readConnectionSource()
  const shared = connectionInputs(source)
  // The config action takes the non-secret connection keys the config file may hold, not a key.
  const remote = actions.filter(([, a]) => 'key' in a.inputs)

  it('are offered by every action that reaches a server, and by no other', () => {
    expect(remote.map(([dir]) => dir).sort()).toEqual([...CONNECTION_ACTION_DIRS].sort())
  })

  it('include every connection input the contract names', () => {
    expect(Object.keys(shared)).toEqual(expect.arrayContaining(CONNECTION))
  })

  it.each(CONNECTION_ACTION_DIRS)(
    '%s/action.yml holds them as `npm run docs` writes them from the one source',
    dir => {
      const text = readFileSync(join(dir, 'action.yml'), 'utf8')
      expect(text).toBe(withConnectionInputs(text, source, `${dir}/action.yml`))
    }
  )

  it('read in each action as in the source; only smoke-check has its own `host`', () => {
    const differing = CONNECTION_ACTION_DIRS.map(dir => {
      const { inputs } = readAction(dir) as Action
      return [
        dir,
        Object.keys(shared).filter(name => !isDeepStrictEqual(inputs[name], shared[name]))
      ]
    })
    // smoke-check's `host` is its own; where the config file may give `host`, it is not required.
    expect(differing).toEqual(
      CONNECTION_ACTION_DIRS.map(dir => [
        dir,
        dir === 'smoke-check' || CONFIG_READING_DIRS.includes(dir) ? ['host'] : []
      ])
    )
  })

  describe('the block `npm run docs` writes', () => {
    const action = (inputs: string) =>
      ['name: x', 'inputs:', inputs, 'runs:', '  using: node24', ''].join('\n')
    const empty = [
      '  # connection inputs: made from scripts/connection-inputs.yml by `npm run docs`; edit that file, not this block',
      '  # connection inputs end'
    ].join('\n')

    it('is put back when a copy was edited by hand, and is left alone the second time', () => {
      const once = withConnectionInputs(action(empty), source)
      const edited = once.replace('SSH port of the jump host.', 'SSH port.')
      expect(edited).not.toBe(once)
      expect(withConnectionInputs(edited, source)).toBe(once)
      expect(withConnectionInputs(once, source)).toBe(once)
      expect((parse(once) as Action).inputs).toEqual(shared)
    })

    it("leaves out an input the action defines itself, and keeps the action's own", () => {
      const own =
        "  host:\n    description: Only for checks from the server.\n    required: false\n    default: ''"
      const inputs = (parse(withConnectionInputs(action(`${own}\n${empty}`), source)) as Action)
        .inputs
      expect(inputs.host).toEqual({
        description: 'Only for checks from the server.',
        required: false,
        default: ''
      })
      expect(Object.keys(inputs)).toEqual(Object.keys(shared))
    })

    it('is required: an action.yml without the markers is an error naming the file', () => {
      expect(() =>
        withConnectionInputs(action('  app-dir:\n    description: x'), source, 'x/action.yml')
      ).toThrow(/^x\/action\.yml: no connection inputs block/)
    })
  })
})

describe('deploy/action.yml', () => {
  it('is the root action.yml with its bundles one folder up, as `npm run docs` writes it', () => {
    expect(readFileSync(DEPLOY_FOLDER_ACTION, 'utf8')).toBe(
      deployFolderAction(readFileSync('action.yml', 'utf8'))
    )
  })

  it('runs the whole-deploy bundle as main and post', () => {
    const action = parse(readFileSync(DEPLOY_FOLDER_ACTION, 'utf8')) as Action & {
      runs: { post?: string }
    }
    expect(action.runs).toEqual({
      using: 'node24',
      main: '../dist/deploy/index.js',
      post: '../dist/deploy/index.js',
      'post-if': 'always()'
    })
    expect(existsSync(join('deploy', action.runs.main))).toBe(true)
  })
})
