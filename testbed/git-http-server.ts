// A private git host over HTTPS on loopback: git's own smart HTTP server
// (`git http-backend`, run as a CGI program for each request, as git's
// documentation sets it up behind Apache) behind a Node server that wants
// Basic auth, as GitHub, GitLab and Gitea do for a token in the clone URL.
import { spawn } from 'node:child_process'
import * as https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'

export interface GitHttpServer {
  /** `https://127.0.0.1:PORT`; a repository is `${origin}/NAME.git`. */
  origin: string
  /** Every request: its path and the user it authenticated as ('' when it sent no or wrong credentials). */
  requests: Array<{ method: string; path: string; user: string }>
  stop(): Promise<void>
}

export async function startGitHttpServer(opts: {
  /** Directory holding the bare repositories (GIT_PROJECT_ROOT). */
  root: string
  tls: { key: string; cert: string }
  /** `user:password` pairs that are let in. */
  accept: ReadonlyArray<[string, string]>
  /** Holds each upload-pack request this long, so the fetch's processes live long enough to be sampled. */
  holdMs?: number
}): Promise<GitHttpServer> {
  const allowed = new Map(
    opts.accept.map(([u, p]) => [`Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`, u])
  )
  const requests: GitHttpServer['requests'] = []
  const server = https.createServer(opts.tls, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1')
    const user = allowed.get(req.headers.authorization ?? '') ?? ''
    requests.push({ method: req.method ?? '', path: url.pathname, user })
    if (!user) {
      req.resume()
      res
        .writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' })
        .end('authentication required\n')
      return
    }
    const backend = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: opts.root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method,
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        ...(req.headers['content-encoding']
          ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }
          : {}),
        ...(req.headers['git-protocol']
          ? { GIT_PROTOCOL: String(req.headers['git-protocol']) }
          : {}),
        REMOTE_USER: user,
        REMOTE_ADDR: req.socket.remoteAddress ?? ''
      },
      stdio: ['pipe', 'pipe', 'inherit']
    })
    const hold = url.pathname.endsWith('/git-upload-pack') ? (opts.holdMs ?? 0) : 0
    setTimeout(() => req.pipe(backend.stdin), hold)
    // CGI output: header lines, a blank line, the body.
    let head = Buffer.alloc(0)
    let headersDone = false
    backend.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk)
        return
      }
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      headersDone = true
      let status = 200
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':')
        const name = line.slice(0, colon).trim()
        const value = line.slice(colon + 1).trim()
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0])
        else res.setHeader(name, value)
      }
      res.statusCode = status
      res.write(head.subarray(end + 4))
    })
    backend.on('close', () => res.end())
  })
  const sockets = new Set<Duplex>()
  server.on('connection', s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `https://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise(resolve => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}
