// The stack file made from `docker compose config --format json` (Compose v2's shape).
import { describe, expect, it } from '@jest/globals'
import { keptStackFile, toStackFile } from '../../../../src/ssh-deploy/swarm/stack-file.js'

const resolved = JSON.stringify({
  name: 'shop',
  services: {
    web: {
      image: 'registry.example/web@sha256:' + 'a'.repeat(64),
      command: null,
      depends_on: { db: { condition: 'service_started', required: true } },
      ports: [{ mode: 'ingress', target: 8000, published: '8080', protocol: 'tcp' }],
      networks: { default: null }
    },
    worker: { image: 'w', deploy: { update_config: { order: 'stop-first' } } },
    migrate: { image: 'm', deploy: { mode: 'replicated-job' } },
    db: { image: 'postgres:15' }
  },
  networks: { default: { name: 'shop_default' }, outside: { name: 'edge', external: true } },
  volumes: { data: { name: 'shop_data' } }
})

describe('stack file', () => {
  it('is what the stack loader takes, with the default update policy where a service set none', () => {
    const file = toStackFile(resolved, 'shop')
    const stack = JSON.parse(file.text)
    expect(stack.name).toBeUndefined()
    expect(stack.version).toBe('3.9')
    expect(stack.services.web.command).toBeUndefined()
    expect(stack.services.web.depends_on).toEqual(['db'])
    expect(stack.services.web.ports[0].published).toBe(8080)
    expect(stack.services.web.deploy.update_config).toEqual({
      parallelism: 1,
      order: 'start-first',
      failure_action: 'rollback',
      monitor: '10s',
      max_failure_ratio: 0
    })
    expect(stack.services.worker.deploy).toEqual({ update_config: { order: 'stop-first' } })
    expect(stack.services.migrate.deploy).toEqual({ mode: 'replicated-job' })
    // The stack names its own network and volume after itself; an external one keeps its name.
    // Its own network is attachable, for the migration's one-off container.
    expect(stack.networks).toEqual({
      default: { attachable: true },
      outside: { name: 'edge', external: true }
    })
    expect(stack.volumes).toEqual({ data: {} })
    expect(file.defaulted).toEqual(['web', 'db'])
    expect(file.services).toEqual(['web', 'worker', 'migrate', 'db'])
  })

  it('takes the update policy given, and the same order and monitor for the way back', () => {
    const stack = JSON.parse(
      toStackFile(resolved, 'shop', {
        order: 'stop-first',
        failureAction: 'pause',
        monitorMs: 1500,
        parallelism: 0
      }).text
    )
    expect(stack.services.web.deploy).toEqual({
      update_config: {
        parallelism: 0,
        order: 'stop-first',
        failure_action: 'pause',
        monitor: '1500ms',
        max_failure_ratio: 0
      },
      rollback_config: {
        parallelism: 0,
        order: 'stop-first',
        failure_action: 'pause',
        monitor: '1500ms'
      }
    })
    // A service's own update_config stays as it is.
    expect(stack.services.worker.deploy).toEqual({ update_config: { order: 'stop-first' } })
  })

  it('keeps a stored stack file as it is, and refuses what is not one', () => {
    const text = toStackFile(resolved, 'shop').text
    expect(keptStackFile(text)).toEqual({
      text,
      services: ['web', 'worker', 'migrate', 'db'],
      defaulted: []
    })
    expect(() => keptStackFile('not json')).toThrow('the kept stack file is not JSON')
    expect(() => toStackFile('{}', 'shop')).toThrow('the resolved compose files have no services')
  })
})
