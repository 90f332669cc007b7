// Reading the stack while the engine changes it: a task listed by `docker service ps` can be
// reaped (the task history limit) before `docker inspect` reads it. The stderr lines are what
// Debian's engine 20.10 and the CLI 28.2.2 answered for a task and a service that were gone.
import { describe, expect, it } from '@jest/globals'
import { isGoneOnly, readStack } from '../../../../src/ssh-deploy/swarm/stack-state.js'
import { answeringHost } from '../../../helpers/answering-host.js'
import { captureOutput } from '../../../helpers/capture-output.js'

const TASK_GONE = 'Error response from daemon: task 4kq2ec0ybtg1lgkphs1wz0tmp not found\n'
const SERVICE_GONE = 'Error: no such service: swarmapp_old\n'
const service = { ID: 'svc1', Spec: { Name: 'swarmapp_web' } }
const task = { ID: 'task1', ServiceID: 'svc1', Status: { State: 'running' } }

describe('reading the stack', () => {
  it('leaves out a task the engine reaped between listing and inspecting it', async () => {
    const { host, sent } = answeringHost(
      { stdout: 'svc1\n' },
      { stdout: JSON.stringify([service]) },
      { stdout: 'task1\n4kq2ec0ybtg1lgkphs1wz0tmp\n' },
      { code: 1, stdout: JSON.stringify([task]), stderr: TASK_GONE }
    )
    const read = await captureOutput(() => readStack(host, 'swarmapp'))
    expect(read.error).toBeUndefined()
    expect(read.value).toEqual({ services: [service], tasks: [task] })
    expect(sent[3]).toEqual([
      'docker',
      'inspect',
      '--type',
      'task',
      '--',
      'task1',
      '4kq2ec0ybtg1lgkphs1wz0tmp'
    ])
  })

  it('leaves out a service removed between listing and inspecting it, and lists the tasks of the others', async () => {
    const { host, sent } = answeringHost(
      { stdout: 'svc1\nold\n' },
      { code: 1, stdout: JSON.stringify([service]), stderr: SERVICE_GONE },
      { stdout: '' }
    )
    const read = await captureOutput(() => readStack(host, 'swarmapp'))
    expect(read.value).toEqual({ services: [service], tasks: [] })
    expect(sent[2]).toEqual(['docker', 'service', 'ps', '--quiet', '--no-trunc', '--', 'svc1'])
  })

  it('fails on any other error, naming the command and what the engine said', async () => {
    const { host } = answeringHost(
      { stdout: 'svc1\n' },
      { stdout: JSON.stringify([service]) },
      { stdout: 'task1\n' },
      { code: 1, stdout: '[]', stderr: `${TASK_GONE}Cannot connect to the Docker daemon\n` }
    )
    const read = await captureOutput(() => readStack(host, 'swarmapp'))
    expect(String(read.error)).toMatch(
      /deploy@web1: `docker inspect --type task -- task1` exited with code 1: .*Cannot connect to the Docker daemon/s
    )
  })

  it.each([
    [TASK_GONE, true],
    ['Error: No such task: 4kq2ec0ybtg1\n', true],
    ['no such service: swarmapp_old\n', true],
    [SERVICE_GONE + SERVICE_GONE, true],
    ['', false],
    ['Error response from daemon: This node is not a swarm manager.\n', false],
    [`${TASK_GONE}permission denied\n`, false]
  ])('counts %j as objects gone only: %s', (stderr, gone) => {
    expect(isGoneOnly(stderr)).toBe(gone)
  })
})
