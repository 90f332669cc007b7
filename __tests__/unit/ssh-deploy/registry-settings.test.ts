import { describe, expect, it } from '@jest/globals'
import { mapInputs } from '../../../src/core/inputs.js'
import { readRegistryLogin } from '../../../src/ssh-deploy/registry-settings.js'
import { captureOutput } from '../../helpers/capture-output.js'

const read = (inputs: Record<string, string>, actor = 'octo') =>
  readRegistryLogin(mapInputs(inputs), actor)

describe('registry login settings', () => {
  it('logs in nowhere without a registry', () => {
    expect(read({})).toBeUndefined()
  })

  it.each([
    [
      { registry: 'ghcr.io', 'github-token': 'ghs_workflowtoken' },
      {
        registry: 'ghcr.io',
        username: 'octo',
        password: 'ghs_workflowtoken',
        passwordFrom: 'github-token'
      }
    ],
    [
      { registry: 'GHCR.io', 'registry-password': 'ghp_pat', 'github-token': 'ghs_workflowtoken' },
      {
        registry: 'ghcr.io',
        username: 'octo',
        password: 'ghp_pat',
        passwordFrom: 'registry-password'
      }
    ],
    [
      {
        registry: 'registry.example.com:5000',
        'registry-username': 'deploy',
        'registry-password': 'hunter22'
      },
      {
        registry: 'registry.example.com:5000',
        username: 'deploy',
        password: 'hunter22',
        passwordFrom: 'registry-password'
      }
    ],
    [
      // build-image's registry with a namespace, as deploy.yml passes it to both: the login is the host's.
      { registry: '127.0.0.1:5000/acme', 'registry-username': 'u', 'registry-password': 'pw-1234' },
      {
        registry: '127.0.0.1:5000',
        username: 'u',
        password: 'pw-1234',
        passwordFrom: 'registry-password'
      }
    ],
    [
      { registry: '127.0.0.1:5000', 'registry-username': 'u', 'registry-password': ' p4ssword\n' },
      {
        registry: '127.0.0.1:5000',
        username: 'u',
        password: 'p4ssword',
        passwordFrom: 'registry-password'
      }
    ]
  ])('reads %j', (inputs, expected) => {
    expect(read(inputs)).toEqual(expected)
  })

  it.each([
    [
      { 'registry-password': 'pw-123456' },
      "Input 'registry': is empty, but registry-password is set"
    ],
    [{ 'registry-username': 'deploy' }, "Input 'registry': is empty, but registry-username is set"],
    [{ registry: 'https://ghcr.io', 'github-token': 't' }, 'is not a registry host'],
    [{ registry: 'ghcr.io/org/', 'github-token': 't' }, 'is not a registry host'],
    [{ registry: 'ghcr.io/Org Name', 'github-token': 't' }, 'is not a registry host'],
    [{ registry: '-rf', 'registry-password': 'pw' }, 'is not a registry host'],
    [{ registry: "it's", 'registry-password': 'pw' }, 'is not a registry host'],
    [
      { registry: 'ghcr.io' },
      "Input 'registry-password': is empty: the servers need a password or token to log in to ghcr.io"
    ],
    [
      { registry: 'registry.example.com', 'github-token': 'ghs_x', 'registry-username': 'u' },
      "Input 'registry-password': is empty"
    ],
    [
      { registry: 'registry.example.com', 'registry-password': 'pw-123456' },
      "Input 'registry-username': is empty: registry.example.com needs the user"
    ],
    [
      {
        registry: 'registry.example.com',
        'registry-username': 'a\nb',
        'registry-password': 'pw-123456'
      },
      'holds a control character'
    ]
  ])('refuses %j', (inputs, message) => {
    expect(() => read(inputs)).toThrow(message)
  })

  it('refuses ghcr.io without an actor to log in as', () => {
    expect(() => read({ registry: 'ghcr.io', 'github-token': 'ghs_x' }, '')).toThrow(
      "Input 'registry-username': is empty: GITHUB_ACTOR is not set either"
    )
  })

  it('masks the password before anything can print it, even when it then refuses', async () => {
    const { output, error } = await captureOutput(async () =>
      read({ 'registry-password': 'pw-never-shown' })
    )
    expect(error).toBeDefined()
    expect(output.split('\n')[0]).toBe('::add-mask::pw-never-shown')
  })

  it('masks a token taken from github-token', async () => {
    const { output } = await captureOutput(async () =>
      read({ registry: 'ghcr.io', 'github-token': 'ghp_personaltoken' })
    )
    expect(output).toContain('::add-mask::ghp_personaltoken')
  })
})

describe('registry login in the deploy settings', () => {
  it('goes with the rollback, which pulls with the same login', async () => {
    const { readDeploySettings, rollbackSettings, runContext } =
      await import('../../../src/ssh-deploy/settings.js')
    const s = readDeploySettings(
      mapInputs({
        host: 'deploy@web1',
        'insecure-skip-host-key-check': 'true',
        password: 'ssh-password',
        'app-dir': '/srv/app',
        registry: 'ghcr.io',
        'github-token': 'ghs_workflowtoken'
      }),
      runContext({ GITHUB_SHA: 'f'.repeat(40), GITHUB_ACTOR: 'octo' })
    )
    expect(s.registry).toEqual({
      registry: 'ghcr.io',
      username: 'octo',
      password: 'ghs_workflowtoken',
      passwordFrom: 'github-token'
    })
    expect(rollbackSettings(s, 'previous').registry).toEqual(s.registry)
  })
})
