import { describe, expect, it } from '@jest/globals'
import { mapInputs } from '../../../src/core/inputs.js'
import type { ContainerState } from '../../../src/ssh-deploy/containers.js'
import { rollingProblems } from '../../../src/ssh-deploy/rolling.js'
import { readDeploySettings, runContext } from '../../../src/ssh-deploy/settings.js'

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
const base = {
  host: 'deploy@web1',
  key: KEY,
  'insecure-skip-host-key-check': 'true',
  'app-dir': '/srv/app',
  strategy: 'rolling'
}
const read = (extra: Record<string, string> = {}) =>
  readDeploySettings(mapInputs({ ...base, ...extra }), runContext({ GITHUB_SHA: 'f'.repeat(40) }))

function container(extra: Partial<ContainerState> = {}): ContainerState {
  return {
    id: 'a'.repeat(64),
    name: 'app_backend_1',
    service: 'backend',
    image: 'app-backend',
    imageId: 'sha256:1',
    status: 'running',
    health: 'healthy',
    exitCode: 0,
    hostPorts: [],
    hostNetwork: false,
    ...extra
  }
}

describe('rolling settings', () => {
  it('reads the proxy, its reload command and the grace period', () => {
    const s = read({ services: 'backend\nworker', 'proxy-service': 'nginx' })
    expect(s.strategy).toBe('rolling')
    expect(s.services).toEqual(['backend', 'worker'])
    expect(s.rolling).toEqual({
      proxyService: 'nginx',
      proxyReloadCommand: 'nginx -s reload',
      stopGracePeriodMs: 10000
    })
    expect(
      read({ services: 'api', 'proxy-reload-command': 'caddy reload', 'stop-grace-period': '30s' })
        .rolling
    ).toEqual({ proxyService: '', proxyReloadCommand: 'caddy reload', stopGracePeriodMs: 30000 })
  })

  it.each([
    [{}, /^Input 'services': is empty, and strategy: rolling replaces the services it names/],
    [
      { services: 'backend, nginx', 'proxy-service': 'nginx' },
      /^Input 'proxy-service': nginx is also in services; the proxy is reloaded, not replaced/
    ],
    [{ services: 'backend', 'proxy-service': 'a b' }, /^Input 'proxy-service': "a b" is not/],
    [{ services: 'backend', 'stop-grace-period': 'soon' }, /^Input 'stop-grace-period'/]
  ])('rejects %j before anything runs', (extra, message) => {
    expect(() => read(extra)).toThrow(message)
  })

  it('leaves recreate as the default, where services may be empty', () => {
    expect(read({ strategy: '' }).strategy).toBe('recreate')
  })
})

describe('what cannot roll', () => {
  it('accepts one numbered container on a Compose network (v1 and v2 names)', () => {
    expect(rollingProblems('app', 'backend', [container()])).toEqual([])
    expect(rollingProblems('app', 'backend', [container({ name: 'app-backend-3' })])).toEqual([])
    expect(rollingProblems('app', 'backend', [])).toEqual([])
  })

  it('refuses host ports, host networking, fixed names and several replicas, saying what to do', () => {
    expect(
      rollingProblems('app', 'backend', [container({ hostPorts: ['0.0.0.0:80->8080/tcp'] })])
    ).toEqual([
      'backend publishes host port 0.0.0.0:80->8080/tcp, which two containers cannot bind at once: ' +
        'use strategy: recreate for it, or remove its host port and put a proxy in front (proxy-service)'
    ])
    expect(rollingProblems('app', 'backend', [container({ hostNetwork: true })])[0]).toMatch(
      /network_mode: host.*strategy: recreate/
    )
    expect(rollingProblems('app', 'backend', [container({ name: 'my-backend' })])[0]).toMatch(
      /fixed container_name \(my-backend\)/
    )
    expect(
      rollingProblems('app', 'backend', [container(), container({ name: 'app_backend_2' })])[0]
    ).toMatch(/backend runs 2 containers; rolling replaces one container per service/)
  })
})
