// smoke-check from the runner, against real HTTP(S) servers on loopback.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { visibleLog } from '../../helpers/capture-output.js'
import {
  keepOutputsWithoutSecrets,
  processStepOutput,
  SecretMasker
} from '../../../testbed/secret-masker.js'
import {
  ActionFiles,
  json,
  selfSignedCertificate,
  startHttpServer,
  startSilentServer,
  TestServer
} from './harness.js'

let files: ActionFiles
const servers: TestServer[] = []

async function serve(...args: Parameters<typeof startHttpServer>): Promise<TestServer> {
  const server = await startHttpServer(...args)
  servers.push(server)
  return server
}

beforeAll(() => {
  files = new ActionFiles()
})

afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
  files.remove()
})

describe('waiting for a service', () => {
  it('passes a service that answers 503 for its first seconds, then 200, after several attempts', async () => {
    let healthyAt = Infinity
    const starting = await serve((_req, res) => {
      if (Date.now() < healthyAt) json(res, 503, { status: 'starting' })
      else json(res, 200, { status: 'ok' })
    })
    healthyAt = Date.now() + 2000
    const r = await files.run({
      urls: `${starting.origin}/health`,
      'retry-delay': '0.25',
      'max-attempts': '30',
      'wait-timeout': '30'
    })
    expect(r.failed).toBe(false)
    expect(r.outputs.passed).toBe('true')
    expect(r.results).toEqual([
      expect.objectContaining({ passed: true, status: 200, method: 'GET', from: 'runner' })
    ])
    expect(r.results[0].attempts).toBeGreaterThan(1)
    expect(r.elapsedMs).toBeLessThan(30_000)
    expect(r.output).toMatch(/attempt 1\/30: 503 in \d+ ms: HTTP status: expected 2xx, got 503/)
    process.stdout.write(
      `smoke-check: service healthy → check passed after ${Date.now() - healthyAt} ms\n`
    )
  })

  it('gives up on a URL that never answers at wait-timeout, not after the sum of timeouts', async () => {
    const silent = await startSilentServer()
    servers.push(silent)
    const r = await files.run({
      urls: `${silent.origin}/health`,
      timeout: '30',
      'max-attempts': '10',
      'retry-delay': '0.2',
      'wait-timeout': '3'
    })
    expect(r.failed).toBe(true)
    expect(r.outputs.passed).toBe('false')
    expect(r.results[0].reason).toMatch(/no complete response within .*wait-timeout \(3s\) reached/)
    expect(r.elapsedMs).toBeGreaterThanOrEqual(2500)
    expect(r.elapsedMs).toBeLessThan(3000 + 3000)
  })

  it('stops as soon as every URL passes', async () => {
    const ok = await serve((_req, res) => json(res, 200, { status: 'ok' }))
    const r = await files.run({
      urls: `${ok.origin}/health\n${ok.origin}/ready status=ok`,
      'max-attempts': '5'
    })
    expect(r.failed).toBe(false)
    expect(r.results.map(x => x.attempts)).toEqual([1, 1])
    expect(ok.requests).toHaveLength(2)
  })
})

describe('expectations', () => {
  it('fails a /ready whose components.database is down, naming the path and the value', async () => {
    const ready = await serve((_req, res) =>
      json(res, 503, { status: 'degraded', components: { database: 'down', redis: 'ok' } })
    )
    const r = await files.run({
      urls: `${ready.origin}/ready`,
      'expect-json': 'status=ok\ncomponents.database=ok\ncomponents.redis=ok',
      'max-attempts': '2',
      'retry-delay': '0.1'
    })
    expect(r.failed).toBe(true)
    expect(r.results[0]).toMatchObject({ passed: false, attempts: 2, status: 503 })
    expect(r.results[0].reason).toContain('components.database: expected "ok", got "down"')
    expect(r.results[0].reason).not.toContain('components.redis')
    expect(r.results[0].body).toContain('"database":"down"')
    const annotations = r.output.split('\n').filter(l => l.startsWith('::error title=smoke-check'))
    expect(annotations).toHaveLength(1)
    expect(annotations[0]).toMatch(
      /HTTP status: expected 2xx, got 503; status: expected "ok", got "degraded"; components\.database: expected "ok", got "down"/
    )
    expect(r.output).toContain('::error::smoke-check: 1 of 1 check(s) failed')
  })

  it('checks the body against expect-body and the time against max-latency-ms', async () => {
    const slow = await serve((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('ok'), 400)
      else res.end('maintenance mode')
    })
    const r = await files.run({
      urls: `${slow.origin}/slow\n${slow.origin}/page`,
      'expect-body': '^ok$',
      'max-latency-ms': '150',
      'max-attempts': '1'
    })
    expect(r.results[0].reason).toMatch(/latency: expected at most 150 ms, got \d+ ms/)
    expect(r.results[1].reason).toMatch(
      /body: expected to match \/\^ok\$\/, got "maintenance mode"/
    )
  })

  it('takes a per-URL method, status and JSON checks', async () => {
    const api = await serve((req, res) => {
      if (req.method === 'POST') json(res, 201, { created: true })
      else if (req.url === '/missing') json(res, 404, {})
      else json(res, 200, { status: 'ok', version: 'v1.2' })
    })
    const r = await files.run({
      urls: [
        `POST ${api.origin}/jobs 201 created=true`,
        `${api.origin}/missing 404`,
        `HEAD ${api.origin}/health 200`,
        `${api.origin}/version version=v1.2`
      ].join('\n')
    })
    expect(r.results.map(x => [x.method, x.status, x.passed])).toEqual([
      ['POST', 201, true],
      ['GET', 404, true],
      ['HEAD', 200, true],
      ['GET', 200, true]
    ])
    expect(api.requests.map(q => q.method).sort()).toEqual(['GET', 'GET', 'HEAD', 'POST'])
  })

  it('checks every input before sending any request', async () => {
    const untouched = await serve((_req, res) => res.end('ok'))
    const r = await files.run({
      urls: `${untouched.origin}/health`,
      'expect-json': 'not a check'
    })
    expect((r.error as Error).message).toMatch(/^Input 'expect-json': /)
    const r2 = await files.run({ urls: `${untouched.origin}/health`, from: 'server' })
    expect((r2.error as Error).message).toMatch(/^Input 'key': no way to log in/)
    expect(untouched.requests).toHaveLength(0)
  })
})

describe('redirects', () => {
  it('follows redirects unless follow-redirects is false', async () => {
    const site = await serve((req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { location: '/new' })
        res.end()
      } else res.end('new page')
    })
    const followed = await files.run({ urls: `${site.origin}/old`, 'expect-body': 'new page' })
    expect(followed.results[0]).toMatchObject({ passed: true, status: 200 })
    const kept = await files.run({ urls: `${site.origin}/old 302`, 'follow-redirects': 'false' })
    expect(kept.results[0]).toMatchObject({ passed: true, status: 302 })
  })

  it('does not send the headers to another host a redirect points to', async () => {
    const other = await serve((_req, res) => res.end('elsewhere'), { address: '127.0.0.2' })
    const first = await serve((_req, res) => {
      res.writeHead(301, { location: `${other.origin}/landing` })
      res.end()
    })
    const r = await files.run({
      urls: `${first.origin}/`,
      headers: 'Authorization: Bearer not-for-other-hosts'
    })
    expect(r.results[0].passed).toBe(true)
    expect(first.requests[0].headers.authorization).toBe('Bearer not-for-other-hosts')
    expect(other.requests[0].headers.authorization).toBeUndefined()
  })
})

describe('redirects to another origin', () => {
  let other: TestServer
  beforeAll(async () => {
    other = await serve((_req, res) => res.end('elsewhere'))
  })

  it('sends no headers or credentials to another port of the same host, and says so', async () => {
    const first = await serve((req, res) => {
      if (req.url === '/here') return res.end('here')
      res.writeHead(302, { location: req.url === '/stay' ? '/here' : `${other.origin}/landing` })
      res.end()
    })
    const before = other.requests.length
    const r = await files.run({
      urls: `http://deploy:pw-origin-4711@127.0.0.1:${first.port}/stay\nhttp://deploy:pw-origin-4711@127.0.0.1:${first.port}/away`,
      headers: 'X-Token: tok-not-for-other-origins',
      'max-attempts': '1'
    })
    expect(r.results.map(x => [x.status, x.passed])).toEqual([
      [200, true],
      [200, true]
    ])
    const basic = `Basic ${Buffer.from('deploy:pw-origin-4711').toString('base64')}`
    // Within the origin, both go along; the other origin gets neither.
    const here = first.requests.find(q => q.url === '/here')!
    expect(here.headers).toMatchObject({
      'x-token': 'tok-not-for-other-origins',
      authorization: basic
    })
    const landed = other.requests.slice(before)
    expect(landed).toHaveLength(1)
    expect(landed[0].headers['x-token']).toBeUndefined()
    expect(landed[0].headers.authorization).toBeUndefined()
    const note = `headers and credentials were not sent to ${other.origin}`
    expect(r.results[0].notice).toBeUndefined()
    expect(r.results[1].notice).toContain(note)
    expect(r.output).toMatch(
      new RegExp(`/away \\(runner\\) attempt 1/1: 200 in \\d+ ms: passed; ${note}`)
    )
    expect(r.summary).toContain(note)
  })

  it('sends none after a redirect from https to http', async () => {
    const secure = await serve(
      (_req, res) => {
        res.writeHead(301, { location: `${other.origin}/plain` })
        res.end()
      },
      { tls: selfSignedCertificate(30) }
    )
    const before = other.requests.length
    const r = await files.run({
      urls: `${secure.origin}/`,
      headers: 'X-Token: tok-not-over-plain-http',
      'insecure-tls': 'true',
      'max-attempts': '1'
    })
    expect(r.results[0]).toMatchObject({ passed: true, status: 200 })
    expect(secure.requests[0].headers['x-token']).toBe('tok-not-over-plain-http')
    expect(other.requests.slice(before)[0].headers['x-token']).toBeUndefined()
    expect(r.results[0].notice).toContain(`not sent to ${other.origin}`)
  })
})

describe('URLs as the runner shows them', () => {
  it('shows a raw @ in a password and every query value as ***, and drops the fragment', async () => {
    const rand = () => Math.random().toString(36).slice(2)
    const password = `p@ss-${rand()}`
    const query = `q-${rand()}`
    const fragment = `f-${rand()}`
    const broken = await serve((req, res) => {
      const basic = `Basic ${Buffer.from(`deploy:${password}`).toString('base64')}`
      if (req.headers.authorization !== basic) return json(res, 401, {})
      // A server that quotes the request in its error page.
      res.writeHead(500)
      res.end(`cannot serve ${req.url}`)
    })
    const r = await files.run({
      urls: `http://deploy:${password}@127.0.0.1:${broken.port}/private?token=${query}&${rand()}#${fragment}`,
      'max-attempts': '1'
    })
    // The password was read the way WHATWG URL (and so a browser) reads it: up to the last @.
    expect(r.results[0]).toMatchObject({ passed: false, status: 500 })
    const shown = `http://deploy:***@127.0.0.1:${broken.port}/private?token=***&***`
    const masker = new SecretMasker()
    const log = processStepOutput(r.output, masker)
    expect(log).toContain(`GET ${shown} (runner) attempt 1/1: 500`)
    const annotation = log.split('\n').find(l => l.startsWith('::error title='))!
    expect(annotation).toContain(
      `title=smoke-check failed%3A GET ${shown.replace(/:/g, '%3A')} from runner::`
    )
    expect(r.summary).toContain(`<td>GET ${shown.replace(/&/g, '&amp;')}</td>`)
    // The runner passes `results` on: it holds nothing it would mask.
    const passedOn = keepOutputsWithoutSecrets(r.outputs, masker)
    expect(passedOn.warnings).toEqual([])
    const results = JSON.parse(passedOn.outputs.results)
    expect(results[0].url).toBe(shown)
    expect(results[0].body).toBe('cannot serve /private?token=***&***')
    for (const secret of [password, encodeURIComponent(password), query, fragment]) {
      expect(visibleLog(r.output)).not.toContain(secret)
      expect(r.summary).not.toContain(secret)
      expect(JSON.stringify(r.outputs)).not.toContain(secret)
    }
  })

  it('refuses a raw # in a password, naming the input and showing none of it', async () => {
    const secret = `first-half#second-half-${Math.random().toString(36).slice(2)}`
    const r = await files.run({ urls: `https://deploy:${secret}@app.example.com/health` })
    expect((r.error as Error).message).toMatch(
      /^Input 'urls': URL 1 \("https:\/\/\*\*\*@app\.example\.com\/health"\) is not a valid URL/
    )
    for (const part of secret.split('#')) {
      expect(visibleLog(r.output)).not.toContain(part)
      expect((r.error as Error).message).not.toContain(part)
    }
  })
})

describe('TLS', () => {
  let secure: TestServer
  beforeAll(async () => {
    secure = await serve((_req, res) => json(res, 200, { status: 'ok' }), {
      tls: selfSignedCertificate(10)
    })
  })

  it('fails a self-signed certificate by default, saying how to accept it', async () => {
    const r = await files.run({ urls: `${secure.origin}/health`, 'max-attempts': '1' })
    expect(r.failed).toBe(true)
    expect(r.results[0].reason).toMatch(
      /TLS certificate not accepted: self[- ]signed certificate .*set insecure-tls: true/
    )
  })

  it('passes with insecure-tls, reporting the days to expiry and warning under 14', async () => {
    const r = await files.run({ urls: `${secure.origin}/health`, 'insecure-tls': 'true' })
    expect(r.failed).toBe(false)
    expect(r.results[0].certificate).toMatchObject({ host: '127.0.0.1' })
    expect([9, 10]).toContain(r.results[0].certificate?.daysLeft)
    expect(r.output).toMatch(/::warning::TLS certificate of 127\.0\.0\.1 expires in (9|10) days/)
    expect(r.summary).toMatch(/certificate: (9|10) days left/)
  })
})

describe('secrets', () => {
  it('never shows header values or URL passwords in the log, summary or outputs', async () => {
    const token = `tok-${Math.random().toString(36).slice(2)}`
    const password = `pw-${Math.random().toString(36).slice(2)}`
    const guarded = await serve((req, res) => {
      const basic = `Basic ${Buffer.from(`deploy:${password}`).toString('base64')}`
      if (req.headers.authorization !== basic) return json(res, 401, { error: 'who are you' })
      if (req.headers['x-token'] !== token) return json(res, 403, { error: 'no token' })
      json(res, 200, { status: 'ok' })
    })
    const r = await files.run({
      urls: `http://deploy:${password}@127.0.0.1:${guarded.port}/private\nhttp://deploy:${password}@127.0.0.1:${guarded.port}/private?again 418`,
      headers: `X-Token: ${token}`,
      'max-attempts': '1'
    })
    expect(r.results.map(x => x.passed)).toEqual([true, false])
    expect(r.output).toContain(`::add-mask::${token}`)
    expect(r.output).toContain(`::add-mask::${password}`)
    for (const secret of [token, password]) {
      expect(visibleLog(r.output)).not.toContain(secret)
      expect(r.summary).not.toContain(secret)
      expect(JSON.stringify(r.outputs)).not.toContain(secret)
    }
    expect(r.summary).toContain(`http://deploy:***@127.0.0.1:${guarded.port}/private`)
  })
})

describe('summary', () => {
  it('writes one row per URL: URL, from, attempts, status, latency, result', async () => {
    const site = await serve((req, res) => {
      res.writeHead(req.url?.startsWith('/broken') ? 500 : 200)
      res.end('<b>body</b>')
    })
    const r = await files.run({
      // The /broken body is not JSON, so the result quotes it.
      urls: `${site.origin}/ok\n${site.origin}/broken title=x`,
      'max-attempts': '1'
    })
    expect(r.summary).toContain('<h3>Smoke check</h3>')
    expect(r.summary).toMatch(
      /<th>URL<\/th><th>from<\/th><th>attempts<\/th><th>status<\/th><th>latency<\/th><th>result<\/th>/
    )
    expect(r.summary).toMatch(
      new RegExp(
        `<td>GET ${site.origin}/ok</td><td>runner</td><td>1</td><td>200</td><td>\\d+ ms</td><td>✅ passed</td>`
      )
    )
    expect(r.summary).toContain('&lt;b&gt;body&lt;/b&gt;')
    expect(r.summary).not.toContain('<b>')
    expect(r.summary).toMatch(/<td>500<\/td>.*❌ HTTP status: expected 2xx, got 500/)
    expect(r.summary).toContain('1 of 2 passed')
  })
})
