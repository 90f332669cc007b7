// Real HTTP servers on loopback for the smoke-check suites, and a way to run
// the action's entry in this process the way the runner would see it.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CheckResult } from '../../../src/smoke-check/check.js'
import { run } from '../../../src/smoke-check/main.js'
import { InProcessAction, InProcessRun } from '../../helpers/in-process-action.js'

export interface SeenRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
}

export interface TestServer {
  /** `http://127.0.0.1:PORT` (or https://). */
  origin: string
  port: number
  requests: SeenRequest[]
  close(): Promise<void>
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  for (const s of sockets) s.destroy()
  return new Promise(resolve => server.close(() => resolve()))
}

/** An HTTP (or, with a certificate, HTTPS) server that records every request it gets. */
export async function startHttpServer(
  handler: Handler,
  opts: { address?: string; tls?: { key: string; cert: string } } = {}
): Promise<TestServer> {
  const address = opts.address ?? '127.0.0.1'
  const requests: SeenRequest[] = []
  const record: Handler = (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    handler(req, res)
  }
  const server = opts.tls ? https.createServer(opts.tls, record) : http.createServer(record)
  const sockets = new Set<net.Socket>()
  server.on('connection', s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>(resolve => server.listen(0, address, resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    origin: `${opts.tls ? 'https' : 'http'}://${address}:${port}`,
    port,
    requests,
    close: () => closeServer(server, sockets)
  }
}

/** Accepts connections and never answers: the URL of a hung service. */
export async function startSilentServer(): Promise<TestServer> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer(s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests: [],
    close: () => closeServer(server, sockets)
  }
}

/** A self-signed certificate for 127.0.0.1, made by openssl. */
export function selfSignedCertificate(days: number): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-tls-'))
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        String(days),
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1'
      ],
      { stdio: 'ignore' }
    )
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8')
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

export interface SmokeRun extends InProcessRun {
  results: CheckResult[]
}

/** Files the runner provides for outputs and the summary; one set per test file. */
export class ActionFiles extends InProcessAction {
  constructor() {
    super(run)
  }

  async run(inputs: Record<string, string>): Promise<SmokeRun> {
    const r = await this.runAction(inputs)
    return {
      ...r,
      results: r.outputs.results ? (JSON.parse(r.outputs.results) as CheckResult[]) : []
    }
  }
}
