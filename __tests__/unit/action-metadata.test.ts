import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  ACTION_DIRS,
  expectedInputRows,
  readAction,
  readmeInputRows
} from '../../scripts/action-docs.mjs'
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

// Inputs every action that reaches a server shares; they must read the same everywhere.
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

  it('describes every input and output, with a default unless required', () => {
    for (const [name, input] of Object.entries(action.inputs)) {
      expect([name, typeof input.description]).toEqual([name, 'string'])
      if (!input.required) expect([name, input.default]).not.toEqual([name, undefined])
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

describe('shared inputs', () => {
  const remote = actions.filter(([, a]) => 'known-hosts' in a.inputs)

  it('are offered by every action that reaches a server', () => {
    expect(remote.map(([dir]) => dir).sort()).toEqual([
      '.',
      'collectstatic',
      'migrate',
      'smoke-check',
      'ssh-deploy'
    ])
  })

  it.each(CONNECTION)('%s reads the same in each of them', name => {
    const [, first] = remote.find(([dir]) => dir === 'ssh-deploy')!
    for (const [dir, action] of remote) {
      const mine = { ...action.inputs[name] }
      const theirs = { ...first.inputs[name] }
      if (dir === 'smoke-check' && name === 'host') continue // optional there: only for checks from the server
      expect([dir, name, mine]).toEqual([dir, name, theirs])
    }
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
