// A stand-in for GitHub's REST API, which cannot be reached from here: a
// local HTTP server that records every request, checks it against GitHub's
// published OpenAPI description (github-openapi.ts) and answers the
// deployment endpoints in the documented response shapes. A request the real
// API would refuse is answered as GitHub does (404 for an unknown path, 422
// for a bad body) and recorded in `violations`, which the flows assert empty.
import { createServer, IncomingMessage, Server } from 'node:http'
import { conform, findOperation, requestProblems, responseSchema } from './github-openapi.js'

export interface RecordedCall {
  method: string
  path: string
  body: Record<string, unknown>
}

export interface FakeGithubApi {
  url: string
  calls: RecordedCall[]
  /** Requests GitHub's API would have refused, with the reasons. */
  violations: string[]
  stop(): Promise<void>
}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise(resolve => {
    let text = ''
    req.on('data', d => (text += d))
    req.on('end', () => resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {}))
  })
}

export async function startFakeGithubApi(): Promise<FakeGithubApi> {
  const calls: RecordedCall[] = []
  const violations: string[] = []
  const deployments: Array<{ id: number; environment: string; statuses: string[] }> = []
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req)
    const path = req.url ?? ''
    const method = req.method ?? ''
    calls.push({ method, path, body })
    const found = findOperation(method, path)
    const problems = requestProblems(method, path, body)
    if (problems.length > 0) {
      violations.push(...problems)
      res.writeHead(typeof found === 'string' ? 404 : 422, { 'content-type': 'application/json' })
      return res.end(
        JSON.stringify({
          message: typeof found === 'string' ? 'Not Found' : 'Validation Failed',
          errors: problems
        })
      )
    }
    const send = (status: number, data: unknown) => {
      const schema = typeof found === 'string' ? undefined : responseSchema(found, status)
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(schema ? conform(schema, data) : data))
    }
    const created = /^\/repos\/[^/]+\/[^/]+\/deployments$/.test(path)
    const statuses = /^\/repos\/[^/]+\/[^/]+\/deployments\/(\d+)\/statuses/.exec(path)
    if (req.method === 'POST' && created) {
      const d = {
        id: deployments.length + 1,
        environment: String(body.environment),
        statuses: [] as string[]
      }
      deployments.push(d)
      return send(201, { id: d.id, environment: d.environment, ref: body.ref })
    }
    if (req.method === 'GET' && path.startsWith('/repos/') && path.includes('/deployments?')) {
      const env = new URL(path, 'http://x').searchParams.get('environment')
      return send(
        200,
        deployments
          .filter(d => d.environment === env)
          .reverse()
          .map(d => ({ id: d.id }))
      )
    }
    if (statuses) {
      const d = deployments.find(x => x.id === Number(statuses[1]))
      if (!d) return send(404, { message: 'Not Found' })
      if (req.method === 'POST') {
        d.statuses.unshift(String(body.state))
        return send(201, { state: body.state })
      }
      return send(
        200,
        d.statuses.map(state => ({ state }))
      )
    }
    send(404, { message: 'Not Found' })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    violations,
    stop: () => new Promise(resolve => server.close(() => resolve()))
  }
}
