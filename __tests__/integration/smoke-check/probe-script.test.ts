// The server-side probe command, run here with dash and busybox sh, each time
// with a PATH that offers only one HTTP client (curl, GNU wget, busybox wget
// or none), against real HTTP servers on loopback.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ClientName,
  ProbeRequest,
  probeArgv,
  probeStdin
} from '../../../src/commands/http-probe.js'
import { parseProbeOutput, ProbeOutput } from '../../../src/smoke-check/probe-output.js'
import { run, waitFor } from '../../../testbed/run.js'
import { json, startHttpServer, startSilentServer, TestServer } from './harness.js'

const MARK = 'DKPROBE-feedc0ffee'
const HOSTILE = `tok $(touch PWNED) \`touch PWNED\` '"; touch PWNED \\" # \\\\n %s`

let work: string
/** The TMPDIR the probe runs with, where GNU wget's private directory goes. */
let probeTmp: string
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
  probeTmp = join(work, 'tmp')
  mkdirSync(probeTmp)
  bins.curl = binDir('curl', { curl: '/usr/bin/curl' })
  bins.wget = binDir('wget', {
    wget: '/usr/bin/wget',
    timeout: '/usr/bin/timeout',
    mktemp: '/usr/bin/mktemp',
    rm: '/bin/rm'
  })
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
    if (req.url === '/secret' && req.headers['x-token'] !== HOSTILE)
      return json(res, 401, { error: 'bad token' })
    json(res, 200, { status: 'ok', method: req.method })
  })
  silent = await startSilentServer()
})

afterAll(async () => {
  await app?.close()
  await silent?.close()
  rmSync(work, { recursive: true, force: true })
})

function probeRequest(extra: Partial<ProbeRequest>): ProbeRequest {
  return {
    method: 'GET',
    url: `${app.origin}/health`,
    headers: [],
    insecureTls: false,
    timeoutSeconds: 5,
    ...extra
  }
}

async function probe(
  shell: string[],
  path: string,
  extra: Partial<ProbeRequest>,
  followRedirects = true
): Promise<ProbeOutput> {
  const req = probeRequest(extra)
  const [, ...args] = probeArgv(req, MARK)
  const r = await run(shell[0], [...shell.slice(1), ...args], {
    cwd: work,
    env: { PATH: path, TMPDIR: probeTmp },
    input: probeStdin(req, MARK),
    timeoutMs: 30_000
  })
  return parseProbeOutput(r.stdout, r.stderr, MARK, followRedirects)
}

const SECRET_HEADER = [{ name: 'X-Token', value: HOSTILE }]

const DASH = ['/bin/sh']
const BUSYBOX_SH = ['/bin/busybox', 'sh']

describe.each<[ClientName]>([['curl'], ['wget'], ['busybox-wget']])('with %s', client => {
  const path = () => bins[client]

  it('gets the status and body', async () => {
    const out = await probe(DASH, path(), {})
    expect(out).toMatchObject({ client, status: 200, body: '{"status":"ok","method":"GET"}' })
    expect(out.latencyMs).toBeGreaterThanOrEqual(0)
  })

  it('reads an error status (and the body where the client keeps it)', async () => {
    const out = await probe(DASH, path(), { url: `${app.origin}/ready` })
    expect(out).toMatchObject({ client, status: 503 })
    if (client === 'busybox-wget') expect(out.body).toBe('')
    else expect(JSON.parse(out.body).components.database).toBe('down')
  })

  it('reports a redirect and where it points (busybox wget follows it on its own)', async () => {
    const out = await probe(DASH, path(), { url: `${app.origin}/old` })
    if (client === 'busybox-wget') {
      expect(out).toMatchObject({ status: 200, body: 'new page' })
      expect((await probe(DASH, path(), { url: `${app.origin}/old` }, false)).status).toBe(302)
    } else {
      expect(out.status).toBe(302)
      expect(new URL(out.location!, app.origin).href).toBe(`${app.origin}/new`)
    }
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

describe.each<[ClientName]>([['curl'], ['wget']])('headers with %s', client => {
  it('sends the headers exactly as given, read from stdin, in dash and busybox sh', async () => {
    // busybox sh runs its own wget applet, whatever PATH holds.
    for (const shell of client === 'curl' ? [DASH, BUSYBOX_SH] : [DASH]) {
      const out = await probe(shell, bins[client], {
        url: `${app.origin}/secret`,
        headers: SECRET_HEADER
      })
      expect(out).toMatchObject({ client, status: 200 })
    }
    expect(existsSync(join(work, 'PWNED'))).toBe(false)
  })

  it('leaves no file behind, whether the request works or fails', async () => {
    await probe(DASH, bins[client], { url: `${app.origin}/secret`, headers: SECRET_HEADER })
    await probe(DASH, bins[client], { url: 'http://127.0.0.1:1/', headers: SECRET_HEADER })
    expect(readdirSync(probeTmp)).toEqual([])
  })
})

describe('GNU wget’s private files', () => {
  it('are removed when the probe is stopped mid-request', async () => {
    const req = probeRequest({
      url: `${silent.origin}/`,
      headers: SECRET_HEADER,
      timeoutSeconds: 60
    })
    const [, ...args] = probeArgv(req, MARK)
    // Its own process group, stopped as a whole, as a timed-out SSH command is.
    const child = spawn('/bin/sh', args, {
      cwd: work,
      env: { PATH: bins.wget, TMPDIR: probeTmp },
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore']
    })
    child.stdin.end(probeStdin(req, MARK))
    await waitFor(async () => readdirSync(probeTmp).length > 0, 10_000, 'wget to start')
    const exited = new Promise(resolve => child.once('exit', resolve))
    process.kill(-child.pid!, 'SIGTERM')
    await exited
    expect(readdirSync(probeTmp)).toEqual([])
  })
})

describe('busybox wget', () => {
  it('is given no headers, and says so before running', async () => {
    const out = await probe(DASH, bins['busybox-wget'], {
      url: `${app.origin}/secret`,
      headers: SECRET_HEADER
    })
    expect(out).toMatchObject({ client: 'busybox-wget', fatal: true, unsupported: 'headers' })
    expect(app.requests.some(q => q.url === '/secret' && q.headers['user-agent'] === 'Wget')).toBe(
      false
    )
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
