// The reusable workflows take every SSH connection setting the actions take (but `key-path`),
// pass each to every step that reaches a server, give the root action's outputs, and are
// described in README.md by tables made from the workflow files (scripts/workflow-interface.mjs).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { CONFIG_KEYS } from '../../../src/core/app-config-keys.mjs'
import { withFreshTables, readAction } from '../../../scripts/action-docs.mjs'
import { connectionInputs, readConnectionSource } from '../../../scripts/connection-inputs.mjs'
import {
  CONFIG_READING_WORKFLOWS,
  LEFT_OUT,
  readWorkflows,
  SECRET_NAMES,
  SETTINGS_STEP_WORKFLOWS,
  WORKFLOW_FILES,
  withConnectionBlocks,
  withWorkflowTables
} from '../../../scripts/workflow-interface.mjs'

interface Step {
  uses?: string
  with?: Record<string, string>
}
interface Workflow {
  on: {
    workflow_call: {
      inputs: Record<string, { type: string; default?: unknown; required?: boolean }>
      secrets: Record<string, { required?: boolean }>
      outputs: Record<string, { value: string }>
    }
  }
  jobs: Record<string, { 'runs-on': string; 'timeout-minutes'?: string; steps: Step[] }>
}

const source = readConnectionSource()
const names = Object.keys(connectionInputs(source)).filter(n => !(n in LEFT_OUT))
const CONNECTING = ['$/deploy', '$/ssh-deploy', '$/migrate', '$/collectstatic', '$/smoke-check']

describe.each(WORKFLOW_FILES)('%s', file => {
  const text = readFileSync(file, 'utf8')
  const doc = parse(text) as Workflow
  const call = doc.on.workflow_call

  it('has its connection blocks as `npm run docs` writes them', () => {
    expect(text).toBe(withConnectionBlocks(text, source, file))
  })

  it('takes every connection setting but key-path, secrets as secrets, none of them required but host (unless the config file may give it)', () => {
    const readsConfig = CONFIG_READING_WORKFLOWS.includes(file)
    for (const name of names) {
      const secret = SECRET_NAMES[name]
      if (secret) expect([name, call.secrets[secret]?.required]).toEqual([name, false])
      else
        expect([name, Boolean(call.inputs[name]?.required)]).toEqual([
          name,
          name === 'host' && !readsConfig
        ])
    }
    expect(call.inputs['key-path']).toBeUndefined()
  })

  it('passes every connection setting to every step that reaches a server', () => {
    const steps = Object.values(doc.jobs).flatMap(j => j.steps)
    const connecting = steps.filter(s => CONNECTING.includes(s.uses ?? ''))
    expect(connecting.length).toBeGreaterThan(0)
    // Where a config step resolves the settings, the steps take them from it.
    const from = SETTINGS_STEP_WORKFLOWS.includes(file) ? 'steps.settings.outputs' : 'inputs'
    for (const step of connecting)
      for (const name of names) {
        const secret = SECRET_NAMES[name]
        const wanted = secret ? `\${{ secrets.${secret} }}` : `\${{ ${from}.${name} }}`
        expect([step.uses, name, step.with?.[name]]).toEqual([step.uses, name, wanted])
      }
  })

  it('resolves the settings in a config step first, from every input the config file may hold', () => {
    if (!SETTINGS_STEP_WORKFLOWS.includes(file)) return
    const [job] = Object.values(doc.jobs)
    const settings = job.steps.findIndex(s => s.uses === '$/config')
    expect(job.steps[settings - 1]?.uses).toMatch(/^actions\/checkout@/)
    expect(job.steps.slice(0, settings - 1)).toEqual([])
    const step = job.steps[settings] as Step & { id?: string }
    expect(step.id).toBe('settings')
    const keys = Object.keys(call.inputs).filter(name => CONFIG_KEYS.includes(name))
    expect(keys.length).toBeGreaterThan(30)
    expect(step.with).toEqual(
      Object.fromEntries(['config', ...keys].map(name => [name, `\${{ inputs.${name} }}`]))
    )
    // After it, no step reads a setting from the inputs.
    const later = JSON.stringify(job.steps.slice(settings + 1))
    for (const name of keys)
      expect([name, later]).not.toEqual([name, expect.stringContaining(`inputs.${name} `)])
  })

  it('runs every job on the runner the caller names, within its timeout-minutes', () => {
    expect(call.inputs['runs-on']).toEqual(expect.objectContaining({ default: 'ubuntu-latest' }))
    for (const [name, job] of Object.entries(doc.jobs))
      expect([name, job['runs-on'], job['timeout-minutes']]).toEqual([
        name,
        "${{ startsWith(inputs.runs-on, '[') && fromJSON(inputs.runs-on) || inputs.runs-on }}",
        '${{ inputs.timeout-minutes }}'
      ])
  })
})

describe('deploy.yml', () => {
  const doc = parse(readFileSync('.github/workflows/deploy.yml', 'utf8')) as Workflow

  it("gives every output of the root action it runs, and the build job's images", () => {
    const root = readAction('.') as { outputs: Record<string, unknown> }
    const outputs = doc.on.workflow_call.outputs
    for (const name of Object.keys(root.outputs))
      expect([name, outputs[name]?.value]).toEqual([name, `\${{ jobs.deploy.outputs.${name} }}`])
    expect(outputs.images.value).toBe('${{ jobs.build.outputs.images }}')
  })

  it("sets up the app's toolchain for the tests when asked, and buildx for the build", () => {
    const uses = (job: string) => doc.jobs[job].steps.map(s => s.uses)
    expect(uses('test')).toEqual(
      expect.arrayContaining([
        'actions/setup-python@v5',
        'actions/setup-go@v5',
        'actions/setup-node@v4',
        '$/test'
      ])
    )
    expect(uses('build')).toContain('docker/setup-buildx-action@v3')
  })
})

describe("README.md's workflow tables", () => {
  it('are as `npm run docs` writes them from the workflow files', () => {
    const readme = readFileSync('README.md', 'utf8')
    const rows = (text: string) => text.split('\n').filter(l => l.startsWith('| `'))
    const fresh = withWorkflowTables(withFreshTables(readme, readAction('.')), readWorkflows())
    // Compared by rows: prettier pads the cells README.md holds.
    const cells = (l: string) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map(c => c.trim())
    expect(rows(readme).map(cells)).toEqual(rows(fresh).map(cells))
  })
})
