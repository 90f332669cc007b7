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

describe('the update policy of services that set none', () => {
  it('is start-first, rolled back on failure, watched 10s, one task at a time, unless the inputs say otherwise', () => {
    expect(read({ target: 'swarm' }).swarmUpdate).toEqual({
      order: 'start-first',
      failureAction: 'rollback',
      monitorMs: 10_000,
      parallelism: 1
    })
    expect(
      read({
        target: 'swarm',
        'swarm-update-order': 'stop-first',
        'swarm-failure-action': 'pause',
        'swarm-update-monitor': '1m30s',
        'swarm-update-parallelism': '0'
      }).swarmUpdate
    ).toEqual({ order: 'stop-first', failureAction: 'pause', monitorMs: 90_000, parallelism: 0 })
  })

  it.each([
    [
      { 'swarm-update-order': 'blue-green' },
      /Input 'swarm-update-order': "blue-green" is not one of start-first, stop-first/
    ],
    [
      { 'swarm-failure-action': 'retry' },
      /Input 'swarm-failure-action': "retry" is not one of rollback, pause, continue/
    ],
    [{ 'swarm-update-monitor': 'soon' }, /Input 'swarm-update-monitor': "soon" is not a duration/],
    [{ 'swarm-update-monitor': '2h' }, /Input 'swarm-update-monitor': "2h" is longer than 1h/],
    [
      { 'swarm-update-parallelism': '-1' },
      /Input 'swarm-update-parallelism': "-1" is not a whole number from 0 to 100/
    ]
  ])('refuses %j', (extra, message) => {
    expect(() => read({ target: 'swarm', ...extra })).toThrow(message)
  })

  it('is refused with the compose target, where nothing reads it', () => {
    expect(() => read({ 'swarm-update-order': 'stop-first' })).toThrow(
      /Input 'swarm-update-order': is a setting of target: swarm/
    )
  })
})
