// Runs the committed bundles under Node 24, as GitHub's runner does.
import { describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ENTRIES } from '../../scripts/actions.mjs'
import { runAction } from '../../testbed/action-runner.js'

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]
  )
}

describe('bundles', () => {
  it('are pure JavaScript: no native addon or Windows helper is shipped', () => {
    expect(filesUnder('dist').filter(f => /\.(node|exe)$/.test(f))).toEqual([])
  })

  // The config action needs no input: without a config file it gives every setting empty.
  const NEED_INPUTS = ENTRIES.filter((name: string) => name !== 'config')

  it.each(NEED_INPUTS)(
    '%s loads under Node 24 and fails clearly without its inputs',
    async name => {
      const run = await runAction(name, {})
      expect(run.code).toBe(1)
      expect(run.output).toMatch(/^::error::\S/m)
      expect(run.output).not.toMatch(/not implemented/)
    }
  )

  it('config loads under Node 24, reads no file where there is none, and refuses a bad one', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'deploykit-bundle-config-'))
    try {
      const env = { GITHUB_WORKSPACE: workspace }
      const none = await runAction('config', { 'app-dir': '/srv/app' }, { env, cwd: workspace })
      expect(none.code).toBe(0)
      expect(none.outputs['app-dir']).toBe('/srv/app')
      expect(none.outputs['config-file']).toBe('')
      mkdirSync(join(workspace, '.github'))
      writeFileSync(join(workspace, '.github', 'deploy-kit.yml'), 'app-dri: /srv/app\n')
      const bad = await runAction('config', {}, { env, cwd: workspace })
      expect(bad.code).toBe(1)
      expect(bad.output).toContain(
        `::error::Input 'config': .github/deploy-kit.yml line 1: "app-dri" is not a deploy-kit setting. Did you mean app-dir?`
      )
    } finally {
      rmSync(workspace, { recursive: true, force: true })
    }
  })

  it('ssh-deploy rejects bad input before connecting, naming the input and the fix', async () => {
    const run = await runAction('ssh-deploy', {
      host: 'deploy@web1.example.com',
      key: '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----',
      'app-dir': '/srv/app'
    })
    expect(run.code).toBe(1)
    expect(run.output).toMatch(
      /::error::Input 'known-hosts': no host key to check deploy@web1\.example\.com against\. Get the value .*ssh-keyscan -p 22 web1\.example\.com/
    )
    expect(run.output).not.toMatch(/cannot connect/)
  })

  it('the root action refuses migrate-before-start with an exec migration before connecting', async () => {
    const run = await runAction('deploy', {
      host: 'deploy@web1.example.com',
      key: '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----',
      fingerprint: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
      'app-dir': '/srv/app',
      'migrate-tool': 'django',
      'migrate-before-start': 'true'
    })
    expect(run.code).toBe(1)
    expect(run.output).toMatch(
      /::error::Input 'migrate-before-start': needs migrate-mode: run: before the start there is no container of the new release to exec into\. Set migrate-mode: run/
    )
    expect(run.output).not.toMatch(/cannot connect/)
  })

  it('the root action refuses a key in both vars and env before connecting, naming the key only', async () => {
    const run = await runAction('deploy', {
      host: 'deploy@web1.example.com',
      key: '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----',
      fingerprint: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
      'app-dir': '/srv/app',
      'env-file': '.env',
      vars: 'DEBUG=1\nAPP_RELEASE=v1.2',
      env: 'APP_RELEASE=hidden-Value-7'
    })
    expect(run.code).toBe(1)
    expect(run.output).toMatch(
      /::error::Input 'vars': APP_RELEASE is also set in env\. Give each key once: in vars when the value is plain, in env when it is secret/
    )
    expect(run.output).not.toContain('hidden-Value-7')
    expect(run.output).not.toMatch(/cannot connect/)
  })

  it('smoke-check rejects missing urls before sending anything', async () => {
    const run = await runAction('smoke-check', {})
    expect(run.code).toBe(1)
    expect(run.output).toMatch(/::error::Input 'urls': is empty/)
  })
})
