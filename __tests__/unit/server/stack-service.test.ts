// The migration's one-off container, made from a kept stack file as toStackFile writes it.
import { describe, expect, it } from '@jest/globals'
import { stackServiceRun } from '../../../src/server/stack-service.js'

const stack = (services: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ version: '3.9', services, ...extra })

describe('a stack service as a one-off container', () => {
  it('has the service image, environment, first network, mounts, working dir, user and entrypoint', () => {
    const text = stack(
      {
        api: {
          image: 'reg.example/api@sha256:' + 'a'.repeat(64),
          environment: { DATABASE_URL: 'postgresql://db/shop', EMPTY: '', UNSET: null },
          networks: { backend: null, default: null },
          volumes: [
            { type: 'bind', source: '/srv/shop/releases/r1', target: '/app', read_only: true },
            { type: 'volume', source: 'media', target: '/media' },
            { type: 'volume', source: 'shared', target: '/shared' },
            { type: 'bind', source: '/srv/a,b "c"', target: '/odd' }
          ],
          working_dir: '/app',
          user: 'app',
          entrypoint: ['tini', '--'],
          command: ['gunicorn', 'shop.wsgi']
        }
      },
      {
        networks: { backend: { attachable: true }, default: { attachable: true } },
        volumes: { media: {}, shared: { name: 'company-shared', external: true } }
      }
    )
    const { run, command } = stackServiceRun(text, 'shop', 'api')
    expect(run).toEqual({
      image: 'reg.example/api@sha256:' + 'a'.repeat(64),
      network: 'shop_backend',
      mounts: [
        'type=bind,source=/srv/shop/releases/r1,target=/app,readonly',
        'type=volume,source=shop_media,target=/media',
        'type=volume,source=company-shared,target=/shared',
        'type=bind,"source=/srv/a,b ""c""",target=/odd'
      ],
      workingDir: '/app',
      user: 'app',
      entrypoint: ['tini', '--'],
      envText: 'DATABASE_URL=postgresql://db/shop\nEMPTY=\n'
    })
    expect(command).toEqual(['gunicorn', 'shop.wsgi'])
  })

  it('runs on the stack default network when the service names none, and a string command in a shell', () => {
    const { run, command } = stackServiceRun(
      stack({ web: { image: 'web', command: 'python manage.py runserver' } }),
      'shop',
      'web'
    )
    expect(run.network).toBe('shop_default')
    expect(run.mounts).toEqual([])
    expect(run.entrypoint).toBeUndefined()
    expect(command).toEqual(['/bin/sh', '-c', 'python manage.py runserver'])
  })

  it('refuses a service the stack file does not have, one without an image and a value with a line break', () => {
    const text = stack({ web: { image: 'web', environment: { KEY: 'a\nb' } }, job: {} })
    expect(() => stackServiceRun(text, 'shop', 'api')).toThrow(
      'the stack file has no service api; its services: web, job'
    )
    expect(() => stackServiceRun(text, 'shop', 'job')).toThrow(
      'service job of the stack file has no image'
    )
    expect(() => stackServiceRun(text, 'shop', 'web')).toThrow(
      "KEY of service web holds a line break, which a one-off container's env file cannot pass"
    )
  })
})
