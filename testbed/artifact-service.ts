// A stand-in for GitHub's artifact service, which cannot be reached from
// here. It is built on GitHub's published client, @actions/artifact v6: the
// requests are read and the answers written with the client's own generated
// Twirp message types (lib/generated), which refuse a field the service does
// not define, and the runtime token is a JWT whose `scp` claim carries
// `Actions.Results:<runId>:<jobId>`, as the client's util.js reads it.
//
// It implements only what an upload needs:
// - POST /twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact,
//   which answers a signed upload URL on this same server;
// - the blob upload that URL receives from @azure/storage-blob's
//   BlockBlobClient: `PUT ?comp=block&blockid=…` per block, then
//   `PUT ?comp=blocklist` with the XML list of blocks (or one `PUT` of the
//   whole blob);
// - POST …/FinalizeArtifact, which records the upload and answers its id.
// It records each upload: its name, the bytes and sha256 of the blob as it
// assembled it, and the size and hash the client reported when finalizing.
//
// It refuses, with an HTTP error and a message (Twirp's JSON error, or
// Azure's XML error for the blob), and records in `refused`: any other path
// or method (ListArtifacts, GetSignedArtifactURL, DeleteArtifact included), a
// missing or wrong token or signature, a body the client's schema does not
// accept, backend ids other than the token's, a second artifact of the same
// name, a finalize before the blob is committed, and every step a test told
// it to refuse (`refuse`). It keeps nothing once stopped, enforces no quota
// or retention, and never serves a download.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  CreateArtifactRequest,
  CreateArtifactResponse,
  FinalizeArtifactRequest,
  FinalizeArtifactResponse,
  Timestamp
} from '../node_modules/@actions/artifact/lib/generated/index.js'

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/'
const BLOB = /^\/standin\/artifacts\/(\d+)$/

export interface RecordedUpload {
  name: string
  workflowRunBackendId: string
  workflowJobRunBackendId: string
  mimeType: string
  /** The expiry the client asked for (retentionDays), as an ISO time; empty for the default. */
  expiresAt: string
  /** Blocks staged before the block list was committed (0 for one PUT of the whole blob). */
  blocks: number
  /** The committed blob, as this server assembled it; -1 until committed. */
  sizeBytes: number
  sha256: string
  /** What the client said in FinalizeArtifact. */
  finalizedSize?: number
  finalizedHash?: string
  /** The id answered by FinalizeArtifact; absent until finalized. */
  id?: number
}

export type UploadStep = 'CreateArtifact' | 'blob' | 'FinalizeArtifact'

export interface ArtifactService {
  /** ACTIONS_RESULTS_URL for the client. */
  url: string
  /** ACTIONS_RUNTIME_TOKEN for the client. */
  token: string
  env: { ACTIONS_RUNTIME_TOKEN: string; ACTIONS_RESULTS_URL: string }
  uploads: RecordedUpload[]
  /** Every request refused, with the reason. */
  refused: string[]
  /** Refuse this step of every later upload (403, with a message); no argument stops refusing. */
  refuse(step?: UploadStep): void
  stop(): Promise<void>
}

interface Pending extends RecordedUpload {
  signature: string
  staged: Map<string, Buffer>
  blob?: Buffer
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

/** A token shaped as the runner's: a signed JWT with the Actions.Results scope. */
function runtimeToken(runId: string, jobId: string): string {
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))
  const now = Math.floor(Date.now() / 1000)
  const payload = base64url(
    JSON.stringify({
      scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:${runId}:${jobId}`,
      iat: now,
      exp: now + 6 * 3600
    })
  )
  const signature = createHmac('sha256', randomBytes(32)).update(`${header}.${payload}`).digest()
  return `${header}.${payload}.${base64url(signature)}`
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

// Twirp's error codes and the HTTP status each has (twirp.dev/docs/spec_v7).
const TWIRP_STATUS = {
  bad_route: 404,
  malformed: 400,
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 412,
  unimplemented: 501
} as const

export async function startArtifactService(): Promise<ArtifactService> {
  const runId = randomUUID()
  const jobId = randomUUID()
  const token = runtimeToken(runId, jobId)
  const uploads: RecordedUpload[] = []
  const refused: string[] = []
  const pending = new Map<string, Pending>()
  const byBlob = new Map<string, Pending>()
  let refusing: UploadStep | undefined
  let nextId = 7000

  const twirpError = (
    res: ServerResponse,
    what: string,
    code: keyof typeof TWIRP_STATUS,
    msg: string
  ) => {
    refused.push(`${what}: ${msg}`)
    res.writeHead(TWIRP_STATUS[code], { 'content-type': 'application/json' })
    res.end(JSON.stringify({ code, msg }))
  }
  const blobError = (
    res: ServerResponse,
    what: string,
    status: number,
    code: string,
    msg: string
  ) => {
    refused.push(`${what}: ${msg}`)
    res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code })
    res.end(
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${msg}</Message></Error>`
    )
  }

  function createArtifact(res: ServerResponse, body: CreateArtifactRequest, base: string) {
    const what = 'CreateArtifact'
    if (refusing === 'CreateArtifact')
      return twirpError(res, what, 'permission_denied', 'the stand-in was told to refuse uploads')
    if (body.workflowRunBackendId !== runId || body.workflowJobRunBackendId !== jobId)
      return twirpError(res, what, 'permission_denied', 'backend ids are not the token’s')
    if (!body.name) return twirpError(res, what, 'invalid_argument', 'name is empty')
    if (pending.has(body.name))
      return twirpError(
        res,
        what,
        'already_exists',
        `an artifact named ${body.name} exists in this run already`
      )
    if (body.version !== 7)
      return twirpError(res, what, 'invalid_argument', `version ${body.version} is not 7`)
    const blobId = String(pending.size + 1)
    const upload: Pending = {
      name: body.name,
      workflowRunBackendId: body.workflowRunBackendId,
      workflowJobRunBackendId: body.workflowJobRunBackendId,
      mimeType: body.mimeType?.value ?? '',
      expiresAt: body.expiresAt ? Timestamp.toDate(body.expiresAt).toISOString() : '',
      blocks: 0,
      sizeBytes: -1,
      sha256: '',
      signature: randomBytes(18).toString('base64url'),
      staged: new Map()
    }
    pending.set(body.name, upload)
    byBlob.set(blobId, upload)
    uploads.push(upload)
    const signed = `${base}/standin/artifacts/${blobId}?sv=2024-08-04&sp=cw&sr=b&sig=${upload.signature}`
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify(
        CreateArtifactResponse.toJson(
          { ok: true, signedUploadUrl: signed },
          { useProtoFieldName: true }
        )
      )
    )
  }

  function finalizeArtifact(res: ServerResponse, body: FinalizeArtifactRequest) {
    const what = 'FinalizeArtifact'
    if (refusing === 'FinalizeArtifact')
      return twirpError(res, what, 'permission_denied', 'the stand-in was told to refuse uploads')
    if (body.workflowRunBackendId !== runId || body.workflowJobRunBackendId !== jobId)
      return twirpError(res, what, 'permission_denied', 'backend ids are not the token’s')
    const upload = pending.get(body.name)
    if (!upload) return twirpError(res, what, 'not_found', `no artifact named ${body.name}`)
    if (!upload.blob)
      return twirpError(res, what, 'failed_precondition', `${body.name}: no blob was committed`)
    if (upload.id !== undefined)
      return twirpError(res, what, 'failed_precondition', `${body.name} is finalized already`)
    upload.finalizedSize = Number(body.size)
    upload.finalizedHash = body.hash?.value ?? ''
    upload.id = nextId++
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify(
        FinalizeArtifactResponse.toJson(
          { ok: true, artifactId: String(upload.id) },
          { useProtoFieldName: true }
        )
      )
    )
  }

  function twirp(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    base: string,
    raw: Buffer
  ) {
    const method = path.slice(SERVICE.length)
    const what = `${req.method} ${path}`
    if (req.method !== 'POST')
      return twirpError(res, what, 'bad_route', `${req.method} is not a Twirp call`)
    if (req.headers.authorization !== `Bearer ${token}`)
      return twirpError(res, what, 'unauthenticated', 'no valid runtime token')
    if (method !== 'CreateArtifact' && method !== 'FinalizeArtifact')
      return twirpError(res, what, 'unimplemented', `the stand-in does not implement ${method}`)
    if (!String(req.headers['content-type']).startsWith('application/json'))
      return twirpError(res, what, 'malformed', 'only the JSON encoding is implemented')
    let json: unknown
    try {
      json = JSON.parse(raw.toString('utf8'))
    } catch {
      return twirpError(res, what, 'malformed', 'the body is not JSON')
    }
    try {
      if (method === 'CreateArtifact')
        return createArtifact(res, CreateArtifactRequest.fromJson(json as never), base)
      return finalizeArtifact(res, FinalizeArtifactRequest.fromJson(json as never))
    } catch (err) {
      return twirpError(res, what, 'malformed', err instanceof Error ? err.message : String(err))
    }
  }

  function blob(req: IncomingMessage, res: ServerResponse, url: URL, blobId: string, body: Buffer) {
    const what = `${req.method} blob ${blobId}${url.search.replace(/sig=[^&]*/, 'sig=…')}`
    const upload = byBlob.get(blobId)
    if (!upload) return blobError(res, what, 404, 'BlobNotFound', 'no such upload URL')
    if (url.searchParams.get('sig') !== upload.signature)
      return blobError(res, what, 403, 'AuthenticationFailed', 'the signature is not this URL’s')
    if (refusing === 'blob')
      return blobError(
        res,
        what,
        403,
        'AuthorizationFailure',
        'the stand-in was told to refuse uploads'
      )
    if (req.method !== 'PUT')
      return blobError(res, what, 405, 'UnsupportedHttpVerb', `${req.method} is not implemented`)
    if (upload.blob)
      return blobError(res, what, 409, 'BlobAlreadyExists', 'the blob is committed already')
    const comp = url.searchParams.get('comp')
    const done = (extra: Record<string, string> = {}) => {
      res.writeHead(201, {
        'x-ms-request-id': randomUUID(),
        'x-ms-version': String(req.headers['x-ms-version'] ?? ''),
        'x-ms-request-server-encrypted': 'true',
        date: new Date().toUTCString(),
        ...extra
      })
      res.end()
    }
    const commit = (data: Buffer) => {
      upload.blob = data
      upload.sizeBytes = data.length
      upload.sha256 = createHash('sha256').update(data).digest('hex')
      done({
        etag: `"0x${randomBytes(8).toString('hex')}"`,
        'last-modified': new Date().toUTCString()
      })
    }
    if (comp === 'block') {
      const blockId = url.searchParams.get('blockid')
      if (!blockId) return blobError(res, what, 400, 'InvalidQueryParameterValue', 'no blockid')
      upload.staged.set(blockId, body)
      return done()
    }
    if (comp === 'blocklist') {
      const ids = [
        ...body.toString('utf8').matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)
      ]
      if (ids.length === 0)
        return blobError(res, what, 400, 'InvalidXmlDocument', 'the block list names no block')
      const missing = ids.find(m => !upload.staged.has(m[2]))
      if (missing)
        return blobError(res, what, 400, 'InvalidBlockList', `block ${missing[2]} was not staged`)
      upload.blocks = ids.length
      return commit(Buffer.concat(ids.map(m => upload.staged.get(m[2])!)))
    }
    if (comp === null && req.headers['x-ms-blob-type'] === 'BlockBlob') return commit(body)
    return blobError(
      res,
      what,
      400,
      'UnsupportedQueryParameter',
      `the stand-in does not implement ${comp === null ? 'this PUT' : `comp=${comp}`}`
    )
  }

  const server: Server = createServer(async (req, res) => {
    const base = `http://${req.headers.host}`
    const url = new URL(req.url ?? '/', base)
    const blobId = BLOB.exec(url.pathname)?.[1]
    // The whole body first, also of a request refused: the client then reads the answer, not a reset.
    const body = await readBody(req)
    if (url.pathname.startsWith(SERVICE)) return twirp(req, res, url.pathname, base, body)
    if (blobId) return blob(req, res, url, blobId, body)
    twirpError(
      res,
      `${req.method} ${url.pathname}`,
      'bad_route',
      `the stand-in does not implement ${url.pathname}`
    )
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return {
    url,
    token,
    env: { ACTIONS_RUNTIME_TOKEN: token, ACTIONS_RESULTS_URL: url },
    uploads,
    refused,
    refuse(step) {
      refusing = step
    },
    stop: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
