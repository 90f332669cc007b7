// The server-side probe command, run here with dash and busybox sh, each time
// with a PATH that offers only one HTTP client (curl, GNU wget, busybox wget
// or none), against real HTTP servers on loopback.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ClientName,
  parseProbeOutput,
  ProbeOutput,
  ProbeRequest,
  probeArgv
} from '../../../src/smoke-check/http-probe-commands.js'
import { run } from '../../testbed/run.js'
import { json, startHttpServer, startSilentServer, TestServer } from './harness.js'

const MARK = 'DKPROBE-feedc0ffee'
const HOSTILE = `tok $(touch PWNED) \`touch PWNED\` '"; touch PWNED`

let work: string
let app: TestServer
let silent: TestServer
const bins: Record<string, string> = {}

/** A directory to use as PATH, holding only the given commands. */
function binDir(name: string, links: Record<string, string>): string {
  const dir = join(work, name)
  mkdirSync(dir)
  for (const [command, target] of Object.entries(links)) symlinkSync(target, join(dir, command))
  return dir
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'deploykit-probe-'))
  bins.curl = binDir('curl', { curl: '/usr/bin/curl' })
  bins.wget = binDir('wget', { wget: '/usr/bin/wget', timeout: '/usr/bin/timeout' })
  bins['busybox-wget'] = binDir('busybox', { wget: '/bin/busybox', timeout: '/bin/busybox' })
  bins.none = binDir('none', {})
  app = await startHttpServer((req, res) => {
    if (req.url === '/old') {
      res.writeHead(302, { location: '/new' })
      return res.end('moved')
    }
    if (req.url === '/new') return res.end('new page')
    if (req.url === '/ready')
      return json(res, 503, { status: 'degraded', components: { database: 'down' } })
    if (req.headers['x-token'] !== HOSTILE) return json(res, 401, { error: 'bad token' })
    json(res, 200, { status: 'ok', method: req.method })
  })
  silent = await startSilentServer()
})

afterAll(async () => {
  await app?.close()
  await silent?.close()
  rmSync(work, { recursive: true, force: true })
})

async function probe(
  shell: string[],
  path: string,
  extra: Partial<ProbeRequest>
): Promise<ProbeOutput> {
  const req: ProbeRequest = {
    method: 'GET',
    url: `${app.origin}/health`,
    headers: [{ name: 'X-Token', value: HOSTILE }],
    followRedirects: true,
    insecureTls: false,
    timeoutSeconds: 5,
    ...extra
  }
  const [, ...args] = probeArgv(req, MARK)
  const r = await run(shell[0], [...shell.slice(1), ...args], {
    cwd: work,
    env: { PATH: path },
    timeoutMs: 30_000
  })
  return parseProbeOutput(r.stdout, r.stderr, MARK, req.followRedirects)
}

const DASH = ['/bin/sh']
const BUSYBOX_SH = ['/bin/busybox', 'sh']

describe.each<[ClientName]>([['curl'], ['wget'], ['busybox-wget']])('with %s', client => {
  const path = () => bins[client]

  it('gets the status and body, sending the headers exactly as given', async () => {
    const out = await probe(DASH, path(), {})
    expect(out).toMatchObject({ client, status: 200, body: '{"status":"ok","method":"GET"}' })
    expect(out.latencyMs).toBeGreaterThanOrEqual(0)
    expect(existsSync(join(work, 'PWNED'))).toBe(false)
  })

  it('reads an error status (and the body where the client keeps it)', async () => {
    const out = await probe(DASH, path(), { url: `${app.origin}/ready` })
    expect(out).toMatchObject({ client, status: 503 })
    if (client === 'busybox-wget') expect(out.body).toBe('')
    else expect(JSON.parse(out.body).components.database).toBe('down')
  })

  it('follows a redirect, or reports it when follow-redirects is false', async () => {
    const followed = await probe(DASH, path(), { url: `${app.origin}/old` })
    expect(followed).toMatchObject({ status: 200, body: 'new page' })
    const kept = await probe(DASH, path(), { url: `${app.origin}/old`, followRedirects: false })
    expect(kept.status).toBe(302)
  })

  it('sends POST', async () => {
    expect(await probe(DASH, path(), { method: 'POST' })).toMatchObject({
      status: 200,
      body: '{"status":"ok","method":"POST"}'
    })
  })

  it('reports a refused connection without a status', async () => {
    const out = await probe(DASH, path(), { url: 'http://127.0.0.1:1/' })
    expect(out.status).toBeUndefined()
    expect(out.error).toMatch(/refused|connect/i)
    expect(out.fatal).toBeUndefined()
  })

  it('gives up on a server that never answers after the timeout', async () => {
    const started = Date.now()
    const out = await probe(DASH, path(), { url: `${silent.origin}/`, timeoutSeconds: 1 })
    expect(out.status).toBeUndefined()
    expect(out.error).toBeDefined()
    expect(Date.now() - started).toBeLessThan(1000 + 4000)
  })
})

describe('picking the client', () => {
  it('says when there is none, so retrying stops', async () => {
    expect(await probe(DASH, bins.none, {})).toMatchObject({
      fatal: true,
      error: 'no HTTP client: neither curl nor wget is installed there'
    })
  })

  it('prefers curl, then GNU wget, then busybox wget', async () => {
    const all = [bins.curl, bins.wget, bins['busybox-wget']]
    expect((await probe(DASH, all.join(':'), {})).client).toBe('curl')
    expect((await probe(DASH, all.slice(1).join(':'), {})).client).toBe('wget')
    expect((await probe(DASH, all.slice(2).join(':'), {})).client).toBe('busybox-wget')
  })

  it('runs in busybox sh, as in a busybox image', async () => {
    const out = await probe(BUSYBOX_SH, bins.none, { url: `${app.origin}/ready` })
    expect(out).toMatchObject({ client: 'busybox-wget', status: 503 })
    expect(existsSync(join(work, 'PWNED'))).toBe(false)
  })

  it('stops at once for a method busybox wget cannot send', async () => {
    expect(await probe(DASH, bins['busybox-wget'], { method: 'DELETE' })).toMatchObject({
      client: 'busybox-wget',
      fatal: true
    })
  })
})
