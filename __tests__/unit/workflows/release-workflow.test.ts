// .github/workflows/release.yml: what starts it, the one permission it has, the checks it runs,
// and its own scripts run in bash as the runner runs `run:` — the version read from the tag or
// the dispatch input, and the major tag moved in a clone whose "origin" is a bare repository.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { parseOutputs } from '../../../testbed/action-runner.js'

interface Step {
  name?: string
  uses?: string
  run?: string
  env?: Record<string, string>
}
const workflow = parse(readFileSync('.github/workflows/release.yml', 'utf8')) as {
  on: Record<string, unknown>
  permissions: unknown
  jobs: Record<string, { permissions: unknown; steps: Step[] }>
}
const steps = workflow.jobs.release.steps
const step = (name: string) => {
  const found = steps.find(s => s.name === name)
  if (!found?.run) throw new Error(`release.yml has no run step "${name}"`)
  return found.run
}

let root: string

/** `script` in bash as the runner runs `run:`, in `cwd`, with `env`; outputs from GITHUB_OUTPUT. */
function runStep(script: string, cwd: string, env: Record<string, string>) {
  const output = join(root, 'github-output')
  writeFileSync(output, '')
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    env: { PATH: process.env.PATH, HOME: root, GITHUB_OUTPUT: output, ...env },
    encoding: 'utf8'
  })
  return {
    code: r.status,
    log: r.stdout + r.stderr,
    outputs: parseOutputs(readFileSync(output, 'utf8'))
  }
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'release-workflow-'))
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('the release workflow', () => {
  it('runs on a pushed vX.Y.Z tag, or by hand with a version', () => {
    expect(workflow.on.push).toEqual({ tags: ['v*.*.*'] })
    expect(workflow.on.workflow_dispatch).toMatchObject({
      inputs: { version: { required: true, type: 'string' } }
    })
  })

  it('asks for contents: write and nothing else', () => {
    expect(workflow.permissions).toEqual({ contents: 'write' })
    expect(workflow.jobs.release.permissions).toEqual({ contents: 'write' })
  })

  it('checks the version, lints, checks dist/ and runs the unit tests before it tags or publishes', () => {
    const runs = steps.map(s => s.run ?? s.uses ?? '')
    const at = (text: string) => runs.findIndex(r => r.includes(text))
    const checks = [
      'npm run release -- --check "$VERSION"',
      'npm run lint',
      'npm run check-dist',
      'npm run test:unit'
    ].map(at)
    expect(checks.every(i => i > at('npm ci'))).toBe(true)
    const publish = Math.min(at('git push --force origin'), at('gh release create'))
    expect(Math.max(...checks)).toBeLessThan(publish)
    expect(at('node scripts/release-notes.mjs "$VERSION"')).toBeLessThan(at('gh release create'))
  })
})

describe('reading the version', () => {
  const read = (env: Record<string, string>) => runStep(step('Read the version'), root, env)

  it('takes it from the tag that was pushed, or from the dispatch input', () => {
    expect(read({ EVENT: 'push', REF_NAME: 'v1.2.3' })).toMatchObject({
      code: 0,
      outputs: { version: '1.2.3', tag: 'v1.2.3', major: 'v1' }
    })
    expect(
      read({ EVENT: 'workflow_dispatch', DISPATCHED: '10.0.1', REF_NAME: 'main' })
    ).toMatchObject({ code: 0, outputs: { version: '10.0.1', tag: 'v10.0.1', major: 'v10' } })
  })

  it.each(['1.2', 'v1.2.3', '1.2.3-rc.1', '1.2.3\n::add-mask::x', '$(id)', ''])(
    'refuses %j, writing no output',
    value => {
      const r = read({ EVENT: 'workflow_dispatch', DISPATCHED: value })
      expect(r.code).toBe(1)
      expect(r.log).toBe('::error title=version::must be a version X.Y.Z (e.g. 1.2.3)\n')
      expect(r.outputs).toEqual({})
    }
  )
})

describe('moving the major tag', () => {
  let runner: string
  const commits: Record<string, string> = {}

  beforeAll(() => {
    const origin = join(root, 'origin.git')
    const work = join(root, 'work')
    git(root, 'init', '--quiet', '--bare', origin)
    git(root, 'init', '--quiet', work)
    const identity = ['-c', 'user.name=Maintainer', '-c', 'user.email=m@example.com']
    for (const v of ['1.0.0', '1.1.0']) {
      git(work, ...identity, 'commit', '--quiet', '--allow-empty', '-m', `Release ${v}`)
      git(work, ...identity, 'tag', '--annotate', `v${v}`, '-m', v)
      commits[v] = git(work, 'rev-parse', 'HEAD')
    }
    git(work, ...identity, 'tag', '--annotate', 'v1', '-m', '1.0.0', 'v1.0.0^{commit}')
    git(work, 'push', '--quiet', origin, '--tags')
    // The runner's checkout: the tag's tree with every tag (fetch-depth: 0).
    runner = join(root, 'runner')
    git(root, 'clone', '--quiet', origin, runner)
  })

  const move = (tag: string) =>
    runStep(step('Move the major tag'), runner, { TAG: tag, MAJOR: 'v1' })
  const originV1 = () =>
    git(root, 'ls-remote', join(root, 'origin.git'), 'refs/tags/v1^{}').split('\t')[0]

  it('leaves v1 where it is when a newer v1.*.* exists', () => {
    expect(move('v1.0.0')).toMatchObject({
      code: 0,
      log: '::notice title=v1::stays at v1.1.0, newer than v1.0.0\n'
    })
    expect(originV1()).toBe(commits['1.0.0'])
  })

  it("moves v1 on origin to the newest release's commit, as an annotated tag", () => {
    const r = move('v1.1.0')
    expect(r.code).toBe(0)
    expect(r.log).toContain(`v1 moved to v1.1.0 (${commits['1.1.0']})`)
    expect(originV1()).toBe(commits['1.1.0'])
    git(runner, 'fetch', '--quiet', '--force', 'origin', 'refs/tags/v1:refs/tags/v1')
    expect(git(runner, 'cat-file', '-t', 'v1')).toBe('tag')
  })

  it('does nothing when run again', () => {
    expect(move('v1.1.0')).toMatchObject({
      code: 0,
      log: `v1 already points to v1.1.0 (${commits['1.1.0']})\n`
    })
  })
})
