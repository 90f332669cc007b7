// target: swarm is refused with the settings it cannot honour, before anything on a server changes.
import { describe, expect, it } from '@jest/globals'
import { mapInputs } from '../../../../src/core/inputs.js'
import { readDeploySettings, runContext } from '../../../../src/ssh-deploy/settings.js'

const base = {
  host: 'deploy@manager',
  key: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
  fingerprint: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
  'app-dir': '/srv/app'
}
const read = (extra: Record<string, string>) =>
  readDeploySettings(mapInputs({ ...base, ...extra }), runContext({ GITHUB_SHA: 'f'.repeat(40) }))

describe('target', () => {
  it('is compose unless swarm is asked for, and refuses anything else', () => {
    expect(read({}).target).toBe('compose')
    expect(read({ target: 'swarm' }).target).toBe('swarm')
    expect(() => read({ target: 'kubernetes' })).toThrow(/target/)
  })

  it.each([
    [
      { host: 'deploy@a\ndeploy@b' },
      /Input 'host': names 2 hosts, and target: swarm deploys through one manager/
    ],
    [
      { strategy: 'one-by-one', services: 'web' },
      /Input 'strategy': one-by-one is a compose strategy/
    ],
    [{ build: 'true' }, /Input 'build': cannot be used with target: swarm/],
    [{ services: 'web' }, /Input 'services': cannot be used with target: swarm/],
    [{ 'proxy-service': 'nginx' }, /Input 'proxy-service': is a setting of the compose target/],
    [{ 'wait-ignore': 'migrate' }, /Input 'wait-ignore': is a setting of the compose target/],
    [
      { 'compose-command': 'docker-compose' },
      /Input 'compose-command': docker-compose \(v1\) cannot resolve the compose files/
    ]
  ])('with swarm refuses %j', (extra, message) => {
    expect(() => read({ target: 'swarm', ...extra })).toThrow(message)
  })
})
