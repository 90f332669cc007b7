// Real HTTP servers on loopback for the smoke-check suites, and a way to run
// the action's entry in this process the way the runner would see it.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { CheckResult } from '../../../src/smoke-check/check.js'
import { run } from '../../../src/smoke-check/main.js'
import { readSmokeCheckSettings } from '../../../src/smoke-check/settings.js'
import { InProcessAction, InProcessRun, throughEntry } from '../../helpers/in-process-action.js'

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

/** What /guarded and /slow-guarded want: this X-Token, and Basic auth as `deploy` with this password. */
export interface Guard {
  token: string
  password: string
}

export interface GuardedApp {
  app: TestServer
  /** Another origin (same address, another port) that /away redirects to. */
  other: TestServer
  guard: Guard
  /** Sets a fresh token and password and returns them. */
  newSecrets(): Guard
  close(): Promise<void>
}

/**
 * Two servers for the secret and redirect checks: `app` answers /guarded
 * (200 with the right X-Token and Basic auth, else 401), /slow-guarded (the
 * same after 1.5 s, so the probe's processes live long enough to be looked
 * at many times), /to-guarded (a redirect within the origin) and /away (a
 * redirect to `other`, which answers `elsewhere` to anything).
 */
export async function startGuardedApp(): Promise<GuardedApp> {
  const guard: Guard = { token: '', password: '' }
  const allowed = (req: http.IncomingMessage): boolean =>
    req.headers['x-token'] === guard.token &&
    req.headers.authorization ===
      `Basic ${Buffer.from(`deploy:${guard.password}`).toString('base64')}`
  const other = await startHttpServer((_req, res) => res.end('elsewhere'))
  const app = await startHttpServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]
    if (path === '/guarded') return json(res, allowed(req) ? 200 : 401, {})
    if (path === '/slow-guarded') {
      setTimeout(() => json(res, allowed(req) ? 200 : 401, {}), 1500)
      return
    }
    const location = { '/to-guarded': '/guarded', '/away': `${other.origin}/landing` }[path]
    if (location) {
      res.writeHead(302, { location })
      return res.end()
    }
    json(res, 404, {})
  })
  const random = (): string => Math.random().toString(36).slice(2)
  return {
    app,
    other,
    guard,
    newSecrets() {
      guard.token = `tok-${random()}`
      guard.password = `pw-${random()}`
      return { ...guard }
    },
    async close() {
      await Promise.all([app.close(), other.close()])
    }
  }
}

export interface SmokeRun extends InProcessRun {
  results: CheckResult[]
}

/** Files the runner provides for outputs and the summary; one set per test file. */
export class ActionFiles extends InProcessAction {
  constructor() {
    super(throughEntry(read => ({ readSettings: () => readSmokeCheckSettings(read), run })))
  }

  async run(inputs: Record<string, string>): Promise<SmokeRun> {
    const r = await this.runAction(inputs)
    return {
      ...r,
      results: r.outputs.results ? (JSON.parse(r.outputs.results) as CheckResult[]) : []
    }
  }
}

/** What the process watcher saw while a probe ran. */
export interface ProcessWatchReport {
  /** Times the cmdline of every process and `ps` were read. */
  procSamples: number
  psSamples: number
  /** Each place a secret was seen: `cmdline` or `ps`, the pid and the secret's index. */
  hits: { where: string; pid: string; secret: number }[]
  /** `probe`, `curl`, `wget`: the probe script and the HTTP clients seen running. */
  seen: string[]
  /** The probe's private directories seen in the temporary directories, and their modes. */
  probeDirs: {
    dir: string
    mode: number
    files: Record<string, { mode: number; holdsSecret: boolean }>
  }[]
}

export interface ProcessWatch {
  stop(): Promise<ProcessWatchReport>
}

/**
 * Starts watching every process's argv on this machine (where the test
 * servers' sshd and the containers run) for the given secrets, reading
 * every /proc/PID/cmdline every 5 ms and `ps` as often as it answers. The secrets
 * reach the watcher on its stdin, never in an argv.
 */
export async function watchProcesses(
  secrets: string[],
  tmpDirs: string[] = [tmpdir()]
): Promise<ProcessWatch> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'process-watcher.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit']
  })
  const lines = createInterface({ input: child.stdout })
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      lines.once('line', resolve)
      child.once('exit', code => reject(new Error(`the process watcher exited with ${code}`)))
    })
  const ready = next()
  child.stdin.write(JSON.stringify({ secrets, tmpDirs }) + '\n')
  await ready
  return {
    async stop() {
      const done = next()
      child.stdin.end('stop\n')
      return JSON.parse(await done) as ProcessWatchReport
    }
  }
}

/** The names in a temporary directory now, to find what a probe leaves behind. */
export function tmpEntries(dir: string = tmpdir()): Set<string> {
  return new Set(readdirSync(dir))
}

/** Files in entries added to `dir` since `before` that hold any of the secrets. */
export function leftoversHolding(before: Set<string>, secrets: string[], dir = tmpdir()): string[] {
  const added = readdirSync(dir)
    .filter(e => !before.has(e))
    .map(e => join(dir, e))
  if (added.length === 0) return []
  // -D skip: another suite's FIFO or socket must not block the search.
  const found = spawnSync('grep', ['-rlF', '-D', 'skip', '--no-messages', '-f', '-', ...added], {
    input: secrets.join('\n') + '\n'
  })
  return found.stdout.toString().split('\n').filter(Boolean)
}
