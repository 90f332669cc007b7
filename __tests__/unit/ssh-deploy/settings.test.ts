import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { composeCommand, projectFor } from '../../../src/core/compose.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { toShell } from '../../../src/core/remote-command.js'
import { readDeploySettings, runContext } from '../../../src/ssh-deploy/settings.js'

const dir = mkdtempSync(join(tmpdir(), 'deploykit-settings-'))
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')])
const KEY = readFileSync(join(dir, 'id'), 'utf8')
const PUB = readFileSync(join(dir, 'id.pub'), 'utf8').split(' ').slice(0, 2).join(' ')
rmSync(dir, { recursive: true, force: true })

const run = runContext({
  GITHUB_SHA: 'f'.repeat(40),
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_RUN_ID: '42',
  GITHUB_ACTOR: 'octo'
})
const base = { host: 'deploy@web1', key: KEY, 'known-hosts': `web1 ${PUB}`, 'app-dir': '/srv/app' }
const read = (extra: Record<string, string> = {}) =>
  readDeploySettings(mapInputs({ ...base, ...extra }), run)

describe('ssh-deploy settings', () => {
  it('defaults to the workflow commit, git source and a project named after app-dir', () => {
    const s = read()
    expect(s).toMatchObject({
      source: 'git',
      ref: 'f'.repeat(40),
      keepReleases: 5,
      waitTimeoutMs: 300000,
      lock: true
    })
    expect(s.app).toMatchObject({
      appDir: '/srv/app',
      projectName: 'app',
      composeChoice: 'auto',
      composeFiles: []
    })
    expect(s.run.runUrl).toBe('https://github.com/acme/app/actions/runs/42')
  })

  it.each([
    [{ 'app-dir': 'srv/app' }, /^Input 'app-dir': "srv\/app" is not an absolute path/],
    [
      { 'compose-files': '../other/compose.yml' },
      /^Input 'compose-files': "..\/other\/compose.yml" must be a path inside the app directory/
    ],
    [{ source: 'rsync' }, /^Input 'source': "rsync" is not one of git, upload, none/],
    [{ ref: '--upload-pack=evil' }, /^Input 'ref': "--upload-pack=evil" is not a git ref/],
    [{ env: 'APP_RELEASE v1' }, /^Input 'env': line 1 is not KEY=VALUE/],
    [
      { images: `web=ghcr.io/acme/web@sha256:${'a'.repeat(64)}` },
      /^Input 'images': needs env-file: the digests are written there as NAME_IMAGE variables/
    ],
    [
      { 'required-env': 'OK, NOT-OK' },
      /^Input 'required-env': "NOT-OK" is not a valid variable name/
    ],
    [
      { services: 'web; rm -rf /' },
      /^Input 'services': "web; rm -rf \/" is not a valid service name/
    ],
    [
      { strategy: 'rolling' },
      /^Input 'services': is empty, and strategy: rolling replaces the services it names/
    ],
    [{ 'keep-releases': '0' }, /^Input 'keep-releases': "0" is not a whole number from 1 to 100/],
    [{ 'compose-command': 'podman-compose' }, /^Input 'compose-command'/]
  ])('rejects %j before anything runs', (extra, message) => {
    expect(() => read(extra)).toThrow(message)
  })

  it('builds one Compose command line with every file, the env file and the project', () => {
    const s = read({
      'compose-files': 'deploy/docker-compose.prod.yml\ndeploy/override.yml',
      'env-file': '.env',
      'project-name': 'Salon GBP'
    })
    const project = projectFor(s.app, ['docker', 'compose'], '/srv/app')
    expect(toShell(composeCommand(project, ['up', '-d', '--build']))).toBe(
      'cd /srv/app && docker compose --project-name salongbp --file deploy/docker-compose.prod.yml --file deploy/override.yml --env-file /srv/app/.env up -d --build'
    )
  })
})
