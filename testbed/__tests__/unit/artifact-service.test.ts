// The testbed's stand-in for GitHub's artifact service answers what
// @actions/artifact's upload calls, read with the client's own Twirp types,
// and refuses every other request with an HTTP error and a message.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DefaultArtifactClient } from '@actions/artifact'
import { ArtifactService, startArtifactService } from '../../artifact-service.js'

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/'
let service: ArtifactService
let dir: string
const saved = { ...process.env }

beforeAll(async () => {
  service = await startArtifactService()
  Object.assign(process.env, service.env)
  dir = mkdtempSync(join(tmpdir(), 'artifact-service-'))
})
afterAll(async () => {
  await service.stop()
  delete process.env.ACTIONS_RUNTIME_TOKEN
  delete process.env.ACTIONS_RESULTS_URL
  Object.assign(process.env, saved)
  rmSync(dir, { recursive: true, force: true })
})

async function call(path: string, init: RequestInit = {}, token = service.token) {
  const res = await fetch(new URL(path, service.url), {
    method: 'POST',
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }
  })
  return { status: res.status, text: await res.text() }
}

describe('the artifact service stand-in', () => {
  it('records an upload by the published client: name, bytes, sha256, the hash it finalized', async () => {
    // Three blocks of the client's 8 MiB and a part: the block list must be assembled in order.
    const data = Buffer.alloc(3 * 8 * 1024 * 1024 + 12345)
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i)
    const file = join(dir, 'deploykit-app-20261203T070000Z.sql.gz')
    writeFileSync(file, data)
    const sha256 = createHash('sha256').update(data).digest('hex')
    const r = await new DefaultArtifactClient().uploadArtifact('ignored', [file], dir, {
      skipArchive: true,
      retentionDays: 3
    })
    const recorded = service.uploads.find(u => u.id === r.id)
    expect(recorded).toMatchObject({
      name: 'deploykit-app-20261203T070000Z.sql.gz',
      mimeType: 'application/gzip',
      blocks: 4,
      sizeBytes: data.length,
      sha256,
      finalizedSize: data.length,
      finalizedHash: `sha256:${sha256}`
    })
    expect(Date.parse(recorded!.expiresAt) - Date.now()).toBeGreaterThan(2.9 * 86400_000)
    expect(r).toEqual({ id: recorded!.id, size: data.length, digest: sha256 })
    expect(service.refused).toEqual([])
  })

  it.each([
    ['ListArtifacts', `${TWIRP}ListArtifacts`, {}, 501, /does not implement ListArtifacts/],
    ['DeleteArtifact', `${TWIRP}DeleteArtifact`, {}, 501, /does not implement DeleteArtifact/],
    [
      'GetSignedArtifactURL',
      `${TWIRP}GetSignedArtifactURL`,
      {},
      501,
      /does not implement GetSignedArtifactURL/
    ],
    ['another path', '/_apis/pipelines/workflows/1/artifacts', {}, 404, /does not implement/],
    [
      'a GET of a Twirp method',
      `${TWIRP}CreateArtifact`,
      { method: 'GET' },
      404,
      /not a Twirp call/
    ],
    [
      'a field the schema does not define',
      `${TWIRP}CreateArtifact`,
      { body: JSON.stringify({ name: 'x', overwrite: true }) },
      400,
      /overwrite/
    ],
    [
      'backend ids not the token’s',
      `${TWIRP}CreateArtifact`,
      {
        body: JSON.stringify({
          workflow_run_backend_id: 'a',
          workflow_job_run_backend_id: 'b',
          name: 'x',
          version: 7
        })
      },
      403,
      /backend ids/
    ],
    [
      'an unknown blob',
      '/standin/artifacts/999?comp=block&blockid=AA',
      { method: 'PUT' },
      404,
      /BlobNotFound/
    ]
  ])('refuses %s', async (_what, path, init, status, message) => {
    const before = service.refused.length
    const res = await call(path, init as RequestInit)
    expect(res.status).toBe(status)
    expect(res.text).toMatch(message)
    expect(service.refused.length).toBe(before + 1)
  })

  it('refuses a finalize of an artifact not created, or whose blob is not committed', async () => {
    const scope = JSON.parse(Buffer.from(service.token.split('.')[1], 'base64url').toString())
      .scp.split(' ')
      .find((s: string) => s.startsWith('Actions.Results:'))
      .split(':')
    const ids = { workflow_run_backend_id: scope[1], workflow_job_run_backend_id: scope[2] }
    const finalize = (name: string) =>
      call(`${TWIRP}FinalizeArtifact`, { body: JSON.stringify({ ...ids, name, size: '4' }) })
    expect(await finalize('never-created')).toMatchObject({
      status: 404,
      text: expect.stringContaining('no artifact named never-created')
    })
    const created = await call(`${TWIRP}CreateArtifact`, {
      body: JSON.stringify({ ...ids, name: 'not-uploaded', version: 7 })
    })
    expect(created.status).toBe(200)
    expect(JSON.parse(created.text)).toEqual({
      ok: true,
      signed_upload_url: expect.stringMatching(
        /^http:\/\/127\.0\.0\.1:\d+\/standin\/artifacts\/\d+\?.*sig=/
      )
    })
    expect(await finalize('not-uploaded')).toMatchObject({
      status: 412,
      text: expect.stringContaining('no blob was committed')
    })
  })

  it('refuses a call without the runtime token', async () => {
    const res = await call(`${TWIRP}CreateArtifact`, { body: '{}' }, 'not.the.token')
    expect(res).toEqual({
      status: 401,
      text: JSON.stringify({ code: 'unauthenticated', msg: 'no valid runtime token' })
    })
  })

  it('refuses the step it is told to, and the client reports its message', async () => {
    const file = join(dir, 'deploykit-app-20261203T070001Z.sql.gz')
    writeFileSync(file, 'dump')
    for (const step of ['CreateArtifact', 'blob'] as const) {
      service.refuse(step)
      try {
        await expect(
          new DefaultArtifactClient().uploadArtifact('x', [file], dir, { skipArchive: true })
        ).rejects.toThrow(/the stand-in was told to refuse uploads/)
      } finally {
        service.refuse()
      }
    }
    expect(
      service.uploads.filter(u => u.id !== undefined && u.name.endsWith('01Z.sql.gz'))
    ).toEqual([])
  })
})
