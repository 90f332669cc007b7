// GitHub's load-time and masking rules (workflow-rules.ts, secret-masker.ts,
// read from actions/runner), held against every workflow of the repo and of
// examples/ and against the README's caller: a run GitHub would refuse, or an
// output it would drop, fails here instead of on a user's first deploy.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import {
  keepOutputsWithoutSecrets,
  processStepOutput,
  SecretMasker
} from '../../../testbed/secret-masker.js'
import {
  calledDeployKitWorkflow,
  readmeCaller,
  WorkflowDoc,
  workflowFiles
} from '../../../testbed/workflow-files.js'
import {
  callerMaximum,
  DEFAULT_PERMISSIONS,
  jobTokenPermissions,
  permissionErrors,
  readPermissions,
  selfRepositoryPath,
  usesError
} from '../../../testbed/workflow-rules.js'

const files = workflowFiles()
const callers: Array<[string, string]> = [
  ...files.map(f => [f, readFileSync(f, 'utf8')] as [string, string]),
  ['the README caller', readmeCaller()]
]

describe('a `$/` reference', () => {
  it('names a path, as TryParseSelfRepository requires', () => {
    expect(selfRepositoryPath('$/ssh-deploy')).toBe('ssh-deploy')
    expect(selfRepositoryPath('$//deploy')).toBe('deploy')
    expect(selfRepositoryPath('$/')).toBeUndefined()
    expect(usesError('$/')).toBe("Expected format {org}/{repo}[/path]@ref. Actual '$/'")
    expect(usesError('$/deploy')).toBeUndefined()
    expect(usesError('actions/checkout@v4')).toBeUndefined()
    expect(usesError('org/deploy-kit/ssh-deploy@v1')).toBeUndefined()
  })

  it.each(files)('%s: every step `uses:` is one the runner accepts', file => {
    const doc = parse(readFileSync(file, 'utf8')) as WorkflowDoc
    const problems = Object.entries(doc.jobs).flatMap(([name, job]) =>
      (job.steps ?? []).flatMap(s => {
        const problem = s.uses ? usesError(s.uses) : undefined
        return problem ? [`${name}: ${problem}`] : []
      })
    )
    expect(problems).toEqual([])
  })
})

describe('permissions of a called workflow', () => {
  it('are read as the runner reads them: unnamed scopes are none', () => {
    expect(readPermissions({ contents: 'read' }).packages).toBe('none')
    expect(readPermissions('write-all').packages).toBe('write')
    expect(callerMaximum(undefined, undefined)).toEqual(DEFAULT_PERMISSIONS)
    expect(callerMaximum({ contents: 'read' }, undefined)).toEqual(
      readPermissions({ contents: 'read' })
    )
  })

  it("are refused with the runner's message when a nested job asks for more, even a skipped one", () => {
    const called = { jobs: { build: { permissions: { contents: 'read', packages: 'write' } } } }
    expect(
      permissionErrors(
        'org/deploy-kit/.github/workflows/deploy.yml@v1',
        readPermissions({ contents: 'read' }),
        called
      )
    ).toEqual([
      "Error calling workflow 'org/deploy-kit/.github/workflows/deploy.yml@v1'. The nested job 'build' is requesting 'packages: write', but is only allowed 'packages: none'."
    ])
  })

  it('default to contents and packages read when the caller sets none', () => {
    const called = { jobs: { deploy: { permissions: { deployments: 'write' } } } }
    expect(permissionErrors('x', callerMaximum(undefined, undefined), called)).toEqual([
      "Error calling workflow 'x'. The nested job 'deploy' is requesting 'deployments: write', but is only allowed 'deployments: none'."
    ])
  })

  it.each(callers)(
    '%s grants every job of the deploy-kit workflows it calls what it asks for',
    (_, text) => {
      const doc = parse(text) as WorkflowDoc
      const problems = Object.entries(doc.jobs).flatMap(([, job]) => {
        const called = job.uses ? calledDeployKitWorkflow(job.uses) : undefined
        if (!called || !job.uses) return []
        const workflow = parse(readFileSync(called, 'utf8')) as WorkflowDoc
        return permissionErrors(job.uses, callerMaximum(doc.permissions, job.permissions), workflow)
      })
      expect(problems).toEqual([])
    }
  )
})

describe("deploy.yml's build job", () => {
  it('pushes with what the caller grants: no workflow-level permissions cap it', () => {
    const called = parse(readFileSync('.github/workflows/deploy.yml', 'utf8')) as WorkflowDoc
    const caller = parse(readmeCaller()) as WorkflowDoc
    const grant = Object.values(caller.jobs).find(j => j.uses?.includes('deploy.yml'))?.permissions
    const withPush = { ...(grant as Record<string, string>), packages: 'write' }
    expect(jobTokenPermissions(readPermissions(withPush), called, 'build').packages).toBe('write')
    expect(jobTokenPermissions(readPermissions(withPush), called, 'test').packages).toBe('none')
  })
})

describe('masking', () => {
  it('registers an `::add-mask::` value and each of its lines, of any length', () => {
    const masker = new SecretMasker()
    const shown = processStepOutput(
      '::add-mask::first line%0Asecond\nrelease 1 of first line, second\n',
      masker
    )
    expect(shown).toBe('::add-mask::***\nrelease 1 of ***, ***\n')
    processStepOutput('::add-mask::1\n', masker)
    expect(masker.mask('release 101')).toBe('release ***0***')
  })

  it('leaves commands between ::stop-commands:: and their token alone', () => {
    const masker = new SecretMasker()
    const shown = processStepOutput('::stop-commands::tok\n::add-mask::x\n::tok::\nx\n', masker)
    expect(masker.registered).toEqual([])
    // The runner echoes both ends of the fence.
    expect(shown).toBe('::stop-commands::tok\n::add-mask::x\n::tok::\nx\n')
  })

  it('drops a job output containing a registered value, with the runner warning', () => {
    const masker = new SecretMasker()
    masker.addSecret('APP_RELEASE=v1\nDEBUG=1\n')
    expect(keepOutputsWithoutSecrets({ a: 'id DEBUG=1', b: 'clean' }, masker)).toEqual({
      outputs: { b: 'clean' },
      warnings: ["Skip output 'a' since it may contain secret."]
    })
  })
})
