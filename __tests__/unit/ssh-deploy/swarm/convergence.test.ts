// Convergence judged from what a real engine (Docker 20.10, three-node swarm of the fleet
// testbed) answered after an update whose healthcheck failed, which the engine rolled back,
// and a redeploy of the previous stack file: `docker service inspect` and
// `docker inspect --type task` of the web service and of a replicated job.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  judgeService,
  runsCurrentSpec,
  SwarmService,
  SwarmTask
} from '../../../../src/ssh-deploy/swarm/convergence.js'

const read = <T>(name: string): T =>
  JSON.parse(
    readFileSync(
      join(process.cwd(), '__tests__/unit/ssh-deploy/swarm', `engine-${name}.json`),
      'utf8'
    )
  ) as T
const web = read<SwarmService[]>('web-svc')[0]
const webTasks = read<SwarmTask[]>('web-tasks')
const job = read<SwarmService[]>('migrate-svc')[0]
const jobTasks = read<SwarmTask[]>('migrate-tasks')
const envOf = (t: SwarmTask) =>
  (t.Spec as { ContainerSpec: { Env: string[] } }).ContainerSpec.Env.join(' ')

describe('swarm convergence', () => {
  it("knows a task of the service's spec though the service shows defaults the task leaves out", () => {
    const v1 = webTasks.filter(t => envOf(t) === 'APP_VERSION=v1')
    const v2 = webTasks.filter(t => envOf(t) === 'APP_VERSION=v2')
    expect([v1.length, v2.length]).toEqual([4, 1])
    expect(v1.map(t => runsCurrentSpec(web, t))).toEqual([true, true, true, true])
    expect(v2.map(t => runsCurrentSpec(web, t))).toEqual([false])
  })

  it('counts the running tasks of the current spec, and waits while fewer run', () => {
    expect(judgeService(web, webTasks, 'an earlier update')).toEqual({
      kind: 'converged',
      line: 'swarmapp_web: 3/3 running'
    })
    const oneStopped = webTasks.map((t, i) =>
      i === webTasks.findIndex(x => x.Status?.State === 'running')
        ? { ...t, Status: { ...t.Status, State: 'starting' } }
        : t
    )
    expect(judgeService(web, oneStopped, 'an earlier update').kind).toBe('waiting')
  })

  it("judges a job by its current iteration's tasks, not by an earlier iteration's", () => {
    expect(judgeService(job, jobTasks, 'x')).toEqual({
      kind: 'converged',
      line: 'swarmapp_migrate: job completed (1/1)'
    })
    const current = job.JobStatus?.JobIteration?.Index
    const running = jobTasks.map(t =>
      (t.JobIteration?.Index ?? 0) === current
        ? { ...t, Status: { ...t.Status, State: 'running' } }
        : t
    )
    expect(judgeService(job, running, 'x')).toEqual({
      kind: 'waiting',
      line: 'swarmapp_migrate: job 0/1 completed'
    })
  })

  it('fails a service whose update the engine rolled back, once this deploy started it', () => {
    const rolledBack = {
      ...web,
      UpdateStatus: { State: 'rollback_completed', Message: 'rollback completed' }
    }
    expect(judgeService(rolledBack, webTasks, 'null')).toEqual({
      kind: 'failed',
      line: 'swarmapp_web: the engine rolled its update back to the previous spec: rollback completed'
    })
    // The same status from before this deploy is an earlier deploy's.
    const before = JSON.stringify(rolledBack.UpdateStatus)
    expect(judgeService(rolledBack, webTasks, before).kind).toBe('converged')
  })
})
