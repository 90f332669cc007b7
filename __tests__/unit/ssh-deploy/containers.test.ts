import { describe, expect, it } from '@jest/globals'
import {
  ContainerState,
  judgeContainer,
  judgeRelease,
  parseInspect
} from '../../../src/ssh-deploy/containers.js'

describe('docker inspect', () => {
  const at = (iso: string) => Math.floor(Date.parse(iso) / 1000)
  const inspected = (state: object) =>
    JSON.stringify([
      { Id: 'c', Name: '/c', Image: 'sha256:1', Config: { Image: 'i' }, State: state }
    ])

  /** Running since 09:00, with a healthcheck in `status` whose kept probes exited so, at :30 and :45. */
  const probed = (status: string, ...exits: number[]) => ({
    Status: 'running',
    StartedAt: '2026-01-01T09:00:00Z',
    Health: {
      Status: status,
      Log: exits.map((ExitCode, i) => ({ Start: `2026-01-01T10:00:${30 + 15 * i}Z`, ExitCode }))
    }
  })

  it.each([
    [
      'running without a healthcheck: since it started',
      { Status: 'running', StartedAt: '2026-01-01T10:00:00.25Z' },
      59_750
    ],
    ['not running', { Status: 'exited', ExitCode: 0, StartedAt: '2026-01-01T10:00:00Z' }, 0],
    ['healthy, every probe kept passed: since the oldest probe', probed('healthy', 0, 0), 30_000],
    ['healthy, but a probe kept failed', probed('healthy', 1, 0), 0],
    ['healthy, no probe kept', probed('healthy'), 0],
    ['starting', probed('starting'), 0]
  ])('reads how long it has been up by the server clock printed first: %s', (_what, state, ms) => {
    const [c] = parseInspect(`${at('2026-01-01T10:01:00Z')}\n${inspected(state)}`)
    expect(c.steadyForMs).toBe(ms)
  })

  it('knows no such time without the server clock', () => {
    const [c] = parseInspect(inspected({ Status: 'running', StartedAt: '2026-01-01T10:00:00Z' }))
    expect(c.steadyForMs).toBe(0)
  })

  it('reads service, image, health and fixed host ports, and ignores ephemeral ones', () => {
    const json = JSON.stringify([
      {
        Id: 'one',
        Name: '/app_backend_1',
        Image: 'sha256:1',
        Config: { Image: 'app-backend', Labels: { 'com.docker.compose.service': 'backend' } },
        RestartCount: 2,
        State: {
          Status: 'running',
          ExitCode: 0,
          StartedAt: '2026-01-01T10:00:00.5Z',
          Health: { Status: 'starting' }
        },
        HostConfig: {
          NetworkMode: 'app_default',
          PortBindings: {
            '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
            '9090/tcp': [{ HostIp: '', HostPort: '' }],
            '53/udp': null
          }
        }
      },
      { Id: 'two', Name: '/x', State: { Status: 'exited', ExitCode: 3 }, HostConfig: {} }
    ])
    expect(parseInspect(json)).toEqual([
      {
        id: 'one',
        name: 'app_backend_1',
        service: 'backend',
        image: 'app-backend',
        imageId: 'sha256:1',
        status: 'running',
        health: 'starting',
        exitCode: 0,
        restartCount: 2,
        startedAt: '2026-01-01T10:00:00.5Z',
        steadyForMs: 0,
        hostPorts: ['127.0.0.1:8080->8080/tcp'],
        hostNetwork: false
      },
      {
        id: 'two',
        name: 'x',
        service: '',
        image: '',
        imageId: '',
        status: 'exited',
        health: '',
        exitCode: 3,
        restartCount: 0,
        startedAt: '',
        steadyForMs: 0,
        hostPorts: [],
        hostNetwork: false
      }
    ])
  })
})

const STARTED = '2026-01-01T10:00:00.000000000Z'
const AGAIN = '2026-01-01T10:00:03.000000000Z'
const NEVER = '0001-01-01T00:00:00Z'

/** One inspection of a container `at` seconds into the wait. */
function look(
  at: number,
  status: string,
  more: Partial<ContainerState> = {}
): { at: number; state: ContainerState } {
  return {
    at: at * 1000,
    state: {
      id: 'c1',
      name: 'app-worker-1',
      service: 'worker',
      status,
      health: '',
      exitCode: 0,
      restartCount: 0,
      startedAt: status === 'created' ? NEVER : STARTED,
      steadyForMs: 0,
      image: 'app-worker',
      imageId: 'sha256:1',
      hostPorts: [],
      hostNetwork: false,
      ...more
    }
  }
}
const healthy = { health: 'healthy' }

describe('is a container ready, from its inspections so far (wait-stable 5 s)', () => {
  it.each([
    ['running, just seen', [look(0, 'running')], 'waiting', 'running, stable for 0s of 5s'],
    [
      'running for 4 s',
      [look(0, 'running'), look(4, 'running')],
      'waiting',
      'running, stable for 4s of 5s'
    ],
    ['running for 5 s', [look(0, 'running'), look(5, 'running')], 'ready', ''],
    [
      'healthy for 5 s after starting',
      [
        look(0, 'running', { health: 'starting' }),
        look(2, 'running', healthy),
        look(7, 'running', healthy)
      ],
      'ready',
      ''
    ],
    [
      'healthy again for 4 s after an unhealthy look',
      [
        look(0, 'running', healthy),
        look(3, 'running', { health: 'unhealthy' }),
        look(4, 'running', healthy),
        look(8, 'running', healthy)
      ],
      'waiting',
      'running (healthy), stable for 4s of 5s'
    ],
    [
      'unhealthy',
      [look(0, 'running', { health: 'unhealthy' }), look(9, 'running', { health: 'unhealthy' })],
      'waiting',
      'running (unhealthy)'
    ],
    ['not started yet', [look(0, 'created')], 'waiting', 'created'],
    [
      'started after the first look, then running 5 s',
      [
        look(0, 'created'),
        look(1, 'running', { startedAt: AGAIN }),
        look(6, 'running', { startedAt: AGAIN })
      ],
      'ready',
      ''
    ],
    [
      'restarted between two looks that both saw it run',
      [look(0, 'running'), look(4, 'running', { restartCount: 1, startedAt: AGAIN })],
      'failed',
      'restarted 1 time(s) during the wait'
    ],
    [
      'started again, with the same restart count (restarted by hand or by the engine)',
      [look(0, 'running'), look(4, 'running', { startedAt: AGAIN })],
      'failed',
      'was started again during the wait'
    ],
    [
      'restarting',
      [look(0, 'running'), look(1, 'restarting', { exitCode: 1, restartCount: 1 })],
      'failed',
      'is restarting (exit code 1)'
    ],
    [
      'restarting at the first look',
      [look(0, 'restarting', { exitCode: 2 })],
      'failed',
      'is restarting (exit code 2)'
    ],
    [
      'an old restart count that does not grow',
      [look(0, 'running', { restartCount: 3 }), look(5, 'running', { restartCount: 3 })],
      'ready',
      ''
    ],
    [
      'exited non-zero',
      [look(0, 'running'), look(1, 'exited', { exitCode: 3 })],
      'failed',
      'exited with code 3'
    ],
    [
      'exited non-zero at the first look',
      [look(0, 'exited', { exitCode: 1 })],
      'failed',
      'exited with code 1'
    ],
    ['a one-shot that exited 0', [look(0, 'running'), look(1, 'exited')], 'ready', ''],
    ['dead', [look(0, 'dead', { exitCode: 137 })], 'failed', 'is dead (exit code 137)'],
    [
      'up for 5 s by the server at the first look (a container the deploy left as it was)',
      [look(0, 'running', { steadyForMs: 5000 })],
      'ready',
      ''
    ],
    [
      'up for 3 s by the server, then seen 2 s more (its kept probes still span 3 s)',
      [look(0, 'running', { steadyForMs: 3000 }), look(2, 'running', { steadyForMs: 3000 })],
      'ready',
      ''
    ],
    [
      'up long by the server, but not up at the first look',
      [
        look(0, 'running', { health: 'unhealthy' }),
        look(1, 'running', { ...healthy, steadyForMs: 60_000 })
      ],
      'waiting',
      'running (healthy), stable for 0s of 5s'
    ],
    [
      'up long by the server, then restarted',
      [
        look(0, 'running', { steadyForMs: 60_000 }),
        look(1, 'running', { restartCount: 1, startedAt: AGAIN, steadyForMs: 60_000 })
      ],
      'failed',
      'restarted 1 time(s) during the wait'
    ]
  ])('%s: %s', (_what, looks, kind, why) => {
    const verdict = judgeContainer(looks, 5000)
    expect(verdict).toEqual(kind === 'ready' ? { kind } : { kind, why })
  })

  it('is ready at the first running look when wait-stable is 0', () => {
    expect(judgeContainer([look(0, 'running')], 0)).toEqual({ kind: 'ready' })
    expect(judgeContainer([look(0, 'running', { health: 'starting' })], 0)).toMatchObject({
      kind: 'waiting'
    })
  })
})

describe('is a release ready', () => {
  const web = (at: number, status: string, more: Partial<ContainerState> = {}) =>
    look(at, status, { id: 'c2', name: 'app-web-1', service: 'web', ...more })

  it('waits for every container, fails on the first that fails, and ignores wait-ignore', () => {
    const judge = (looks: Array<Array<ReturnType<typeof look>>>, ignore: string[] = []) =>
      judgeRelease(new Map(looks.map(l => [l[0].state.id, l])), ignore, 5000)
    expect(judge([])).toMatchObject({ kind: 'waiting', waiting: [], failed: [] })
    expect(
      judge([
        [look(0, 'running'), look(5, 'running')],
        [web(0, 'running', healthy), web(5, 'running', healthy)]
      ])
    ).toMatchObject({
      kind: 'ready'
    })
    const oneWaits = judge([
      [look(0, 'running'), look(5, 'running')],
      [web(0, 'running', { health: 'starting' })]
    ])
    expect(oneWaits.kind).toBe('waiting')
    expect(oneWaits.waiting.map(w => [w.container.service, w.why])).toEqual([
      ['web', 'running (starting)']
    ])
    const oneFails = judge([
      [look(0, 'exited', { exitCode: 1 })],
      [web(0, 'running', { health: 'starting' })]
    ])
    expect(oneFails.kind).toBe('failed')
    expect(oneFails.failed.map(f => [f.container.service, f.why])).toEqual([
      ['worker', 'exited with code 1']
    ])
    expect(
      judge(
        [[look(0, 'exited', { exitCode: 1 })], [web(0, 'running'), web(5, 'running')]],
        ['worker']
      )
    ).toMatchObject({
      kind: 'ready'
    })
  })
})
