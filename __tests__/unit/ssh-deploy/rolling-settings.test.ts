import { describe, expect, it } from '@jest/globals'
import { mapInputs } from '../../../src/core/inputs.js'
import { readRollingSettings, Strategy } from '../../../src/ssh-deploy/rolling-settings.js'

const read = (strategy: Strategy, services: string[], inputs: Record<string, string> = {}) =>
  readRollingSettings(mapInputs(inputs), strategy, services)

describe('readRollingSettings', () => {
  it('defaults to no proxy, nginx -s reload and a 10s grace period', () => {
    expect(read('recreate', [])).toEqual({
      proxyService: '',
      proxyReloadCommand: 'nginx -s reload',
      stopGracePeriodMs: 10000
    })
  })

  it('reads the proxy, its reload command and the grace period', () => {
    expect(
      read('rolling', ['backend'], {
        'proxy-service': 'nginx',
        'proxy-reload-command': 'caddy reload',
        'stop-grace-period': '30s'
      })
    ).toEqual({
      proxyService: 'nginx',
      proxyReloadCommand: 'caddy reload',
      stopGracePeriodMs: 30000
    })
  })

  it.each([
    [
      'recreate',
      [],
      { 'proxy-service': 'ng inx' },
      /^Input 'proxy-service': "ng inx" is not a service name/
    ],
    ['one-by-one', [], {}, /^Input 'services': is empty, and strategy: one-by-one/],
    ['rolling', [], {}, /^Input 'services': is empty, and strategy: rolling/],
    [
      'rolling',
      ['backend', 'nginx'],
      { 'proxy-service': 'nginx' },
      /^Input 'proxy-service': nginx is also in services/
    ],
    [
      'recreate',
      [],
      { 'stop-grace-period': 'soon' },
      /^Input 'stop-grace-period': "soon" is not a duration/
    ]
  ] as const)('%s %j %j is refused', (strategy, services, inputs, message) => {
    expect(() => read(strategy, [...services], inputs)).toThrow(message)
  })
})
