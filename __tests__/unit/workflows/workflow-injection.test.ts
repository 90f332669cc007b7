// No workflow of the repo or of examples/, nor the README's caller, pastes a
// value someone else controls into a `run:` script or a command input
// (testbed/workflow-injection.ts, read with GitHub's own parsers): such a
// value goes through `env:`, where the shell reads it as data.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { parseOutputs } from '../../../testbed/action-runner.js'
import { isCommandInput, untrustedInterpolations } from '../../../testbed/workflow-injection.js'
import { readmeCaller, workflowFiles } from '../../../testbed/workflow-files.js'

const files = workflowFiles()

function found(content: string): string[] {
  return untrustedInterpolations('test.yml', content).map(f => `${f.where}: ${f.path}`)
}

const dispatch = (jobs: string) =>
  `on:\n  workflow_dispatch:\n    inputs:\n      n:\n        type: string\njobs:\n${jobs}`

describe('workflows', () => {
  it.each(files)('%s interpolates nothing untrusted into a script or a command', file => {
    expect(untrustedInterpolations(file, readFileSync(file, 'utf8'))).toEqual([])
  })

  it('the README caller interpolates nothing untrusted into a script or a command', () => {
    expect(untrustedInterpolations('README.md', readmeCaller())).toEqual([])
  })
})

describe('the rule', () => {
  it('finds dispatch inputs and event fields in run scripts, however they are written', () => {
    expect(
      found(
        dispatch(`  a:
    runs-on: ubuntu-latest
    steps:
      - run: ./main migrate down \${{ inputs.n }}
      - run: echo "\${{ github.event.pull_request.title }}"
      - run: git checkout \${{ github.head_ref }}
      - run: echo \${{ github['event']['issue']['body'] }}
      - run: echo '\${{ toJSON(github.event) }}' | jq .
      - run: echo \${{ github[format('ev{0}', 'ent')].x }}
      - run: echo \${{ secrets.TOKEN }}
`)
      )
    ).toEqual([
      'job a step 1 run: inputs.n',
      'job a step 2 run: github.event.pull_request.title',
      'job a step 3 run: github.head_ref',
      'job a step 4 run: github.event.issue.body',
      'job a step 5 run: github.event',
      'job a step 6 run: github.*.x',
      'job a step 7 run: secrets.TOKEN'
    ])
  })

  it('lets them through env:, and leaves the workflow’s own values alone', () => {
    expect(
      found(
        dispatch(`  a:
    runs-on: ubuntu-latest
    steps:
      - env:
          STEPS: \${{ inputs.n }}
          TITLE: \${{ github.event.pull_request.title }}
        run: ./main migrate down "$STEPS"
      - run: echo \${{ github.sha }} \${{ env.STEPS }} \${{ steps.x.outputs.y }} \${{ runner.temp }}
      - if: inputs.n != ''
        run: echo checked
`)
      )
    ).toEqual([])
  })

  it('finds them in the command inputs of a step and of a called workflow, not in data inputs', () => {
    expect(
      found(
        dispatch(`  a:
    runs-on: ubuntu-latest
    steps:
      - uses: org/deploy-kit/ssh-deploy@v1
        with:
          host: \${{ inputs.n }}
          rollback-to: \${{ inputs.n }}
          pre-deploy: ./prepare \${{ inputs.n }}
  b:
    uses: org/deploy-kit/.github/workflows/rollback.yml@v1
    with:
      release: \${{ inputs.n }}
      migrate-down-command: >-
        \${{ inputs.n != '' && format('./main migrate down {0}', inputs.n) || '' }}
`)
      )
    ).toEqual([
      'job a step 1 with.pre-deploy: inputs.n',
      'job b with.migrate-down-command: inputs.n'
    ])
  })

  it('lets a reusable workflow hand on a command its caller gave, and nothing built from one', () => {
    const reusable = (value: string) => `on:
  workflow_call:
    inputs:
      pre-deploy:
        type: string
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: $/ssh-deploy
        with:
          pre-deploy: ${value}
`
    expect(found(reusable('${{ inputs.pre-deploy }}'))).toEqual([])
    expect(found(reusable('./prepare ${{ inputs.pre-deploy }}'))).toEqual([
      'job a step 1 with.pre-deploy: inputs.pre-deploy'
    ])
    // A dispatch input is typed at run time: even handed on whole, it is not the caller's code.
    expect(found(dispatch(reusable('${{ inputs.n }}').split('jobs:\n')[1]))).toEqual([
      'job a step 1 with.pre-deploy: inputs.n'
    ])
  })

  it('knows the command inputs of deploy-kit and of the usual SSH actions', () => {
    for (const name of [
      'pre-deploy',
      'post-deploy',
      'command',
      'down-command',
      'migrate-command',
      'migrate-down-command',
      'test-command',
      'script'
    ])
      expect([name, isCommandInput(name)]).toEqual([name, true])
    for (const name of ['compose-command', 'host', 'target', 'env', 'rollback-to'])
      expect([name, isCommandInput(name)]).toEqual([name, false])
  })
})

describe("kasaneha's rollback", () => {
  const doc = parse(readFileSync('examples/003-kasaneha/rollback.yml', 'utf8')) as {
    jobs: Record<string, { steps?: Array<{ run?: string; env?: Record<string, string> }> }>
  }
  const check = doc.jobs['down-steps'].steps?.[0]

  /** The check step's script in bash as the runner runs `run:`, with the input as its env says. */
  function runCheck(value: string): { code: number | null; output: string; steps?: string } {
    const dir = mkdtempSync(join(tmpdir(), 'deploykit-check-'))
    const output = join(dir, 'output')
    writeFileSync(output, '')
    try {
      const result = spawnSync(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', check?.run ?? ''],
        {
          env: { PATH: process.env.PATH, DOWN_STEPS: value, GITHUB_OUTPUT: output },
          encoding: 'utf8'
        }
      )
      return {
        code: result.status,
        output: result.stdout + result.stderr,
        steps: parseOutputs(readFileSync(output, 'utf8')).steps
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it('reads the number of migrations through env', () => {
    expect(check?.env).toEqual({ DOWN_STEPS: '${{ inputs.migrate-down-target }}' })
  })

  it('passes a number of migrations, or none, on to the down command', () => {
    expect(runCheck('2')).toMatchObject({ code: 0, steps: '2' })
    expect(runCheck('')).toMatchObject({ code: 0, steps: '' })
  })

  it.each(['1; rm -rf /', '$(id)', '0', '-1', '1\n2', 'one'])(
    'refuses %j, naming the input',
    value => {
      const r = runCheck(value)
      expect(r.code).toBe(1)
      expect(r.output).toMatch(
        /^::error title=migrate-down-target::must be a number of migrations/m
      )
      expect(r.steps).toBeUndefined()
    }
  )
})
