// The ssh action's bundle under Node 24, as GitHub's runner starts it: inputs
// as INPUT_* variables, the step's `env:` in its environment, the script file
// in the workspace, outputs read back from GITHUB_OUTPUT.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction } from '../../testbed/action-runner.js'
import { ensurePrerequisites } from '../../testbed/prerequisites.js'
import { startSshHosts, SshHosts } from '../../testbed/ssh-hosts.js'

let hosts: SshHosts
let workspace: string

beforeAll(async () => {
  ensurePrerequisites()
  hosts = await startSshHosts(1)
  workspace = mkdtempSync(join(tmpdir(), 'ssh-action-workspace-'))
})

afterAll(async () => {
  await hosts?.stop()
  rmSync(workspace, { recursive: true, force: true })
})

describe('ssh bundle', () => {
  it('runs script-path with the forwarded env, keeps stdout and fails with the exit code', async () => {
    writeFileSync(
      join(workspace, 'deploy.sh'),
      'printf "%s|" "$GREETING"\necho\nsh -c "exit 5"\necho never\n'
    )
    const greeting = "it's $(id) `id`\nsecond line"
    const run = await runAction(
      'ssh',
      {
        host: hosts.hostInput(1),
        key: hosts.key.privateKey,
        'known-hosts': hosts.knownHosts(),
        'script-path': 'deploy.sh',
        envs: 'GREETING',
        capture: 'true',
        timeout: '1m30s'
      },
      { cwd: workspace, env: { GREETING: greeting } }
    )
    expect(run.code).toBe(1)
    expect(run.outputs.stdout).toBe(`${greeting}|`)
    expect(run.output).toMatch(
      /^::error::the script failed on 1 of 1 host\(s\):%0A.*: exit code 5 /m
    )
    expect(run.output).not.toContain('never')
    expect(run.summary).toContain('<td>5</td>')
  })
})
