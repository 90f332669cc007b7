// The testbed's stand-in for GitHub's REST API holds requests to GitHub's
// published OpenAPI description (@octokit/openapi) and answers in its shapes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { FakeGithubApi, startFakeGithubApi } from '../../fake-github-api.js'

let api: FakeGithubApi
beforeAll(async () => {
  api = await startFakeGithubApi()
})
afterAll(() => api.stop())

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return { status: res.status, data: (await res.json()) as Record<string, unknown> }
}

describe('the GitHub API stand-in', () => {
  it('answers a valid deployment with every field the schema requires', async () => {
    api.violations.length = 0
    const created = await call('POST', '/repos/acme/app/deployments', {
      ref: 'main',
      environment: 'production',
      required_contexts: []
    })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({
      id: expect.any(Number),
      ref: 'main',
      environment: 'production'
    })
    for (const field of ['node_id', 'sha', 'task', 'creator', 'statuses_url', 'created_at'])
      expect(created.data).toHaveProperty(field)
    const status = await call('POST', `/repos/acme/app/deployments/${created.data.id}/statuses`, {
      state: 'in_progress'
    })
    expect(status.status).toBe(201)
    expect(status.data).toHaveProperty('deployment_url')
    expect(api.violations).toEqual([])
  })

  it('refuses what GitHub refuses, and records why', async () => {
    api.violations.length = 0
    expect((await call('POST', '/repos/acme/app/deployments', { environment: 'x' })).status).toBe(
      422
    )
    expect(
      (await call('POST', '/repos/acme/app/deployments/1/statuses', { state: 'done' })).status
    ).toBe(422)
    expect((await call('GET', '/repos/acme/app/deployment')).status).toBe(404)
    expect((await call('DELETE', '/repos/acme/app/deployments/1/statuses')).status).toBe(404)
    expect(api.violations).toEqual([
      'repos/create-deployment: body field ref is required',
      'repos/create-deployment-status: state must be one of error, failure, inactive, in_progress, queued, pending, success, got done',
      "GET /repos/acme/app/deployment: no such path in GitHub's REST API",
      'DELETE /repos/acme/app/deployments/1/statuses: /repos/{owner}/{repo}/deployments/{deployment_id}/statuses has no DELETE'
    ])
  })
})
