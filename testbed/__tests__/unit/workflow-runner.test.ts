// The testbed's stand-in for GitHub's runner (GitHub's parser and evaluator,
// the runner's rules) on small workflows of `run:` steps: what the seed flows
// rely on it to do as GitHub does.
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runWorkflow } from '../../workflow-runner.js'

const dir = mkdtempSync(join(tmpdir(), 'deploykit-workflows-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function workflow(name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

const run = (
  file: string,
  inputs: Record<string, unknown> = {},
  secrets: Record<string, string> = {}
) => runWorkflow(file, { inputs, secrets, env: {}, workspace: dir })

describe('the workflow runner', () => {
  it('records the deployment GitHub makes for a job that names an environment, unless deployment is false', async () => {
    const file = workflow(
      'environments.yml',
      `on:
  workflow_call:
    inputs:
      env:
        type: string
        default: production
jobs:
  named:
    runs-on: ubuntu-latest
    environment: \${{ inputs.env }}
    steps:
      - run: exit 2
  mapped:
    runs-on: ubuntu-latest
    environment:
      name: \${{ inputs.env }}
      url: https://app.example.com/\${{ inputs.env }}
    steps:
      - run: echo ok
  without:
    runs-on: ubuntu-latest
    environment:
      name: staging
      deployment: false
    steps:
      - run: echo ok
  none:
    runs-on: ubuntu-latest
    steps:
      - run: echo ok
`
    )
    const jobs = await run(file, { env: 'qa' })
    expect(jobs.named.deployment).toEqual({
      environment: 'qa',
      url: '',
      statuses: ['in_progress', 'failure']
    })
    expect(jobs.mapped.deployment).toEqual({
      environment: 'qa',
      url: 'https://app.example.com/qa',
      statuses: ['in_progress', 'success']
    })
    expect(jobs.without.deployment).toBeUndefined()
    expect(jobs.none.deployment).toBeUndefined()
  })

  it('runs jobs in needs order with status functions, step outcomes and outputs as GitHub computes them', async () => {
    const file = workflow(
      'order.yml',
      `on:
  workflow_call:
    inputs:
      fail:
        type: boolean
        default: false
jobs:
  last:
    needs: [first, second]
    if: \${{ always() }}
    runs-on: ubuntu-latest
    outputs:
      seen: \${{ needs.first.outputs.word }}-\${{ needs.second.result }}
    steps:
      - run: echo last
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: echo second
  first:
    runs-on: ubuntu-latest
    env:
      GREETING: hello
    outputs:
      word: \${{ steps.say.outputs.word }}
    steps:
      - id: say
        env:
          WHO: world
        run: |
          echo "word=$GREETING-$WHO" >> "$GITHUB_OUTPUT"
          echo "LATER=yes" >> "$GITHUB_ENV"
      - run: test "$LATER" = yes
      - if: inputs.fail
        run: exit 3
      - id: tolerated
        continue-on-error: true
        run: exit 4
      - if: steps.tolerated.outcome == 'failure' && steps.tolerated.conclusion == 'success'
        run: echo tolerated
      - if: failure()
        run: echo after failure
`
    )
    const ok = await run(file)
    expect(ok.first.outputs).toEqual({ word: 'hello-world' })
    expect(ok.first.steps.map(s => s.result)).toEqual([
      'success',
      'success',
      'skipped',
      'failure',
      'success',
      'skipped'
    ])
    expect(ok.first.result).toBe('success')
    expect(ok.last.outputs).toEqual({ seen: 'hello-world-success' })
    const failed = await run(file, { fail: true })
    expect(failed.first.result).toBe('failure')
    expect(failed.first.steps.map(s => s.result)).toEqual([
      'success',
      'success',
      'failure',
      'skipped',
      'skipped',
      'success'
    ])
    expect(failed.second.result).toBe('skipped')
    expect(failed.last.outputs).toEqual({ seen: 'hello-world-skipped' })
  })

  it('masks secrets and ::add-mask:: values in logs and summaries, and drops outputs holding them', async () => {
    const file = workflow(
      'mask.yml',
      `on:
  workflow_call:
    secrets:
      token:
        required: true
jobs:
  only:
    runs-on: ubuntu-latest
    outputs:
      plain: \${{ steps.out.outputs.plain }}
      leaky: \${{ steps.out.outputs.leaky }}
    steps:
      - id: out
        run: |
          echo "::add-mask::hidden"
          echo "token \${{ secrets.token }} and hidden"
          echo "summary hidden" >> "$GITHUB_STEP_SUMMARY"
          echo "plain=visible" >> "$GITHUB_OUTPUT"
          echo "leaky=a-hidden-b" >> "$GITHUB_OUTPUT"
`
    )
    const jobs = await run(file, {}, { token: 's3cr3t' })
    expect(jobs.only.steps[0].run?.output).toBe('::add-mask::***\ntoken *** and ***\n')
    expect(jobs.only.steps[0].run?.summary).toBe('summary ***\n')
    expect(jobs.only.outputs).toEqual({ plain: 'visible' })
    expect(jobs.only.warnings).toEqual(["Skip output 'leaky' since it may contain secret."])
  })

  it('refuses `uses: $/` and a `uses:` it cannot run, naming it', async () => {
    const bare = workflow(
      'bare.yml',
      'on: workflow_call\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: $/\n'
    )
    await expect(run(bare)).rejects.toThrow("Expected format {org}/{repo}[/path]@ref. Actual '$/'")
    const other = workflow(
      'other.yml',
      'on: workflow_call\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache@v4\n'
    )
    await expect(run(other)).rejects.toThrow('uses actions/cache@v4, which the testbed cannot run')
  })

  it('evaluates runs-on as a label or a JSON list of labels, and refuses one that names no runner', async () => {
    const file = workflow(
      'runs-on.yml',
      `on:
  workflow_call:
    inputs:
      runs-on:
        type: string
        default: ubuntu-latest
jobs:
  a:
    runs-on: \${{ startsWith(inputs.runs-on, '[') && fromJSON(inputs.runs-on) || inputs.runs-on }}
    steps:
      - run: "true"
`
    )
    expect((await run(file)).a.runsOn).toEqual(['ubuntu-latest'])
    expect((await run(file, { 'runs-on': '["self-hosted", "linux"]' })).a.runsOn).toEqual([
      'self-hosted',
      'linux'
    ])
    await expect(run(file, { 'runs-on': '[]' })).rejects.toThrow(
      'job a has runs-on [], which names no runner'
    )
  })

  it('refuses a run whose jobs ask for more than the caller grants', async () => {
    const file = workflow(
      'perms.yml',
      'on: workflow_call\njobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions:\n      packages: write\n    steps:\n      - run: "true"\n'
    )
    await expect(
      runWorkflow(file, {
        inputs: {},
        secrets: {},
        env: {},
        workspace: dir,
        callerPermissions: { contents: 'read' }
      })
    ).rejects.toThrow(
      "The nested job 'build' is requesting 'packages: write', but is only allowed 'packages: none'."
    )
  })
})
