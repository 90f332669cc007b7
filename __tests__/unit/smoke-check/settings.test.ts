import { describe, expect, it } from '@jest/globals'
import { InputError } from '../../../src/core/errors.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { statusMatches } from '../../../src/smoke-check/expectations.js'
import {
  fromLabel,
  readSmokeCheckSettings,
  readSmokeSettings
} from '../../../src/smoke-check/settings.js'
import { captureOutput, visibleLog } from '../../helpers/capture-output.js'

function settings(values: Record<string, string>) {
  return readSmokeSettings(mapInputs(values))
}

function inputError(values: Record<string, string>): InputError {
  try {
    settings(values)
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return err as InputError
  }
  throw new Error('expected an InputError')
}

describe('urls', () => {
  it('reads one URL per line as [METHOD] URL [STATUS] [path=value …]', () => {
    const s = settings({
      urls: [
        'https://app.example.com/api/health',
        'head http://127.0.0.1:8080/ 204,3xx',
        '# a comment line',
        'GET http://127.0.0.1:8080/ready 200-299 status=ok components.database=ok'
      ].join('\n')
    })
    expect(s.checks.map(c => [c.method, c.url])).toEqual([
      ['GET', 'https://app.example.com/api/health'],
      ['HEAD', 'http://127.0.0.1:8080/'],
      ['GET', 'http://127.0.0.1:8080/ready']
    ])
    expect(s.checks[0].expect.status.text).toBe('2xx')
    expect(s.checks[1].expect.status.text).toBe('204,3xx')
    expect(statusMatches(s.checks[1].expect.status, 302)).toBe(true)
    expect(statusMatches(s.checks[1].expect.status, 200)).toBe(false)
    expect(s.checks[2].expect.json.map(j => `${j.path}=${j.value}`)).toEqual([
      'status=ok',
      'components.database=ok'
    ])
  })

  it('applies expect-status, expect-json, expect-body and max-latency-ms to every URL', () => {
    const s = settings({
      urls: 'http://a/ready\nhttp://b/ready code=1 201',
      'expect-status': '200',
      'expect-json': 'status=ok\n$.items[0].name=first',
      'expect-body': '/STATUS/i',
      'max-latency-ms': '500'
    })
    expect(s.checks[0].expect.status.text).toBe('200')
    expect(s.checks[1].expect.status.text).toBe('201')
    expect(s.checks[0].expect.json.map(j => j.path)).toEqual(['status', 'items.0.name'])
    expect(s.checks[1].expect.json.map(j => j.path)).toEqual(['status', 'items.0.name', 'code'])
    expect(s.checks[0].expect.body?.flags).toBe('i')
    expect(s.checks[1].expect.maxLatencyMs).toBe(500)
  })

  it('has working defaults', () => {
    const s = settings({ urls: 'http://127.0.0.1/' })
    expect(s.from).toEqual({ kind: 'runner' })
    expect(s.followRedirects).toBe(true)
    expect(s.insecureTls).toBe(false)
    expect(s.headers).toEqual([])
    expect(s.timing).toEqual({
      timeoutMs: 10_000,
      maxAttempts: 10,
      retryDelayMs: 2_000,
      waitTimeoutMs: 120_000
    })
  })

  it.each([
    [{ urls: '' }, 'urls', /is empty/],
    [{ urls: 'ftp://example.com/' }, 'urls', /not an http:\/\/ or https:\/\/ URL/],
    [{ urls: 'GET' }, 'urls', /has no URL/],
    [{ urls: 'FETCH http://a/' }, 'urls', /"FETCH" is not a supported method/],
    [{ urls: 'http://a/ 200 banana' }, 'urls', /"banana" .* neither a status nor a path=value/],
    [{ urls: 'http://a/ 99x' }, 'urls', /"99x" is not a status code/],
    [{ urls: 'http://a/\nhttp://a/' }, 'urls', /lists GET http:\/\/a\/ twice/],
    [{ urls: 'HEAD http://a/ status=ok' }, 'urls', /HEAD .* gets no body/],
    [{ urls: 'http://a/', 'expect-status': '600' }, 'expect-status', /not a status code/],
    [{ urls: 'http://a/', 'expect-status': '299-200' }, 'expect-status', /ends before it starts/],
    [{ urls: 'http://a/', 'expect-json': 'status' }, 'expect-json', /not a path=value line/],
    [{ urls: 'http://a/', 'expect-json': 'a..b=1' }, 'expect-json', /not a path=value line/],
    [{ urls: 'http://a/', 'expect-body': '([' }, 'expect-body', /not a valid regular expression/],
    [{ urls: 'http://a/', headers: 'no colon here' }, 'headers', /header 1 is not "Name: value"/],
    [{ urls: 'http://a/', headers: 'X-Empty:' }, 'headers', /X-Empty has no value/],
    [
      { urls: 'http://a/', headers: 'X-Token: a\rb' },
      'headers',
      /the value of X-Token has a control character/
    ],
    [{ urls: 'http://a/', from: 'laptop' }, 'from', /not runner, server or container:<service>/],
    [{ urls: 'http://a/', from: 'container:' }, 'from', /not runner, server/],
    [{ urls: 'http://a/', timeout: '0' }, 'timeout', /more than 0/],
    [{ urls: 'http://a/', timeout: 'soon' }, 'timeout', /not a duration/],
    [{ urls: 'http://a/', 'wait-timeout': '0' }, 'wait-timeout', /more than 0/],
    [{ urls: 'http://a/', 'max-attempts': '0' }, 'max-attempts', /whole number from 1/],
    [{ urls: 'http://a/', 'max-latency-ms': '-1' }, 'max-latency-ms', /whole number/],
    [{ urls: 'http://a/', 'insecure-tls': 'maybe' }, 'insecure-tls', /not a boolean/],
    [{ urls: 'http://a/', 'follow-redirects': 'sometimes' }, 'follow-redirects', /not a boolean/]
  ])('rejects %j naming %s', (values, input, problem) => {
    const err = inputError(values as Record<string, string>)
    expect(err.input).toBe(input)
    expect(err.message).toMatch(problem)
    expect(err.message).toMatch(new RegExp(`^Input '${input}': `))
  })
})

describe('from', () => {
  it.each([
    ['', 'runner'],
    ['runner', 'runner'],
    ['server', 'server'],
    ['container:api', 'container:api'],
    ['container:salon_gbp-web.1', 'container:salon_gbp-web.1']
  ])('%j reads as %s', (text, label) => {
    expect(fromLabel(settings({ urls: 'http://a/', from: text }).from)).toBe(label)
  })
})

describe('secrets', () => {
  it('masks header values, except headers that only name things', async () => {
    const token = `tok-${Math.random().toString(36).slice(2)}`
    const { output, value } = await captureOutput(async () =>
      settings({
        urls: 'http://a/',
        headers: `Authorization: Bearer ${token}\nHost: app.example.com\nX-Debug: 1`
      })
    )
    expect(output).toContain(`::add-mask::Bearer ${token}\n`)
    expect(output).toContain('::add-mask::1\n')
    expect(output).toMatch(
      /::warning::headers: the value of X-Debug is shorter than 4 characters\. Masked as a secret, it hides its every occurrence in the log, and GitHub drops any job output that contains it/
    )
    expect(output).not.toMatch(/::warning::headers: the value of Authorization/)
    expect(output).not.toContain('::add-mask::app.example.com')
    expect(value?.headers).toEqual([
      { name: 'Authorization', value: `Bearer ${token}` },
      { name: 'Host', value: 'app.example.com' },
      { name: 'X-Debug', value: '1' }
    ])
  })

  it('masks URL passwords (raw and decoded) and shows the URL with ***', async () => {
    const { output, value } = await captureOutput(async () =>
      settings({ urls: 'https://deploy:p%40ss-w0rd-9@app.example.com/health\nhttp://tok3n@b/' })
    )
    // Workflow commands escape % as %25; the runner unescapes it.
    expect(output).toContain('::add-mask::p%2540ss-w0rd-9\n')
    expect(output).toContain('::add-mask::p@ss-w0rd-9\n')
    expect(output).toContain('::add-mask::tok3n\n')
    expect(value?.checks.map(c => c.shownUrl)).toEqual([
      'https://deploy:***@app.example.com/health',
      'http://***@b/'
    ])
    // The credentials travel as a header of their own, so a redirect elsewhere can drop them.
    expect(value?.checks.map(c => [c.url, c.authorization])).toEqual([
      [
        'https://app.example.com/health',
        `Basic ${Buffer.from('deploy:p@ss-w0rd-9').toString('base64')}`
      ],
      ['http://b/', `Basic ${Buffer.from('tok3n:').toString('base64')}`]
    ])
  })

  it('reads a raw @ in a password as WHATWG URL does: the user info ends at the last @', async () => {
    const { output, value } = await captureOutput(async () =>
      settings({ urls: 'https://deploy:p@ss-w0rd-7@app.example.com/health' })
    )
    expect(output).toContain('::add-mask::p@ss-w0rd-7\n')
    expect(output).toContain('::add-mask::p%2540ss-w0rd-7\n')
    expect(value?.checks[0]).toMatchObject({
      url: 'https://app.example.com/health',
      shownUrl: 'https://deploy:***@app.example.com/health',
      authorization: `Basic ${Buffer.from('deploy:p@ss-w0rd-7').toString('base64')}`
    })
  })

  it.each(['#', '/', '?'])(
    'refuses a raw %s in a password, naming urls and showing no part of the password',
    async mark => {
      const password = `first-half${mark}second-half`
      const { output, error } = await captureOutput(async () =>
        settings({
          urls: `http://127.0.0.1/ok\nGET https://deploy:${password}@app.example.com/health 200`
        })
      )
      expect(error).toBeInstanceOf(InputError)
      const message = (error as Error).message
      expect(message).toMatch(
        /^Input 'urls': URL 2 \("https:\/\/\*\*\*@app\.example\.com\/health"\) is not a valid URL/
      )
      expect(message).toContain(encodeURIComponent(mark))
      for (const part of ['first-half', 'second-half']) {
        expect(message).not.toContain(part)
        expect(visibleLog(output)).not.toContain(part)
      }
    }
  )

  it('shows query values as *** (keys kept), a parameter without a value as ***, and no fragment', () => {
    const s = settings({
      urls: 'https://app.example.com/health?token=abc123&page=2&sekrit&empty=#frag-secret'
    })
    expect(s.checks[0].shownUrl).toBe(
      'https://app.example.com/health?token=***&page=***&***&empty='
    )
    // The fragment is never sent either.
    expect(s.checks[0].url).toBe('https://app.example.com/health?token=abc123&page=2&sekrit&empty=')
  })

  it('shows no query value or password in an error about the line', () => {
    for (const urls of [
      'http://deploy:pw-in-line@a/?token=qv-in-line banana',
      'HEAD http://a/?token=qv-in-line status=ok',
      'http://a/?token=qv-in-line\nhttp://a/?token=qv-in-line'
    ]) {
      const err = inputError({ urls })
      expect(err.message).not.toContain('qv-in-line')
      expect(err.message).not.toContain('pw-in-line')
      expect(err.message).toContain('a/?token=***')
    }
  })

  it('refuses a header value with a control character, which could end it early', () => {
    const err = inputError({ urls: 'http://a/', headers: 'X-Token: abc\rdef' })
    expect(err.input).toBe('headers')
    expect(err.message).toMatch(/the value of X-Token has a control character/)
    expect(err.message).not.toContain('abc')
  })

  it('registers secrets before an error can show them, and errors show no secret', async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}`
    const { output, error } = await captureOutput(async () =>
      settings({
        urls: `http://user:${password}@a/ banana`,
        headers: `Authorization ${password}`
      })
    )
    expect(output).toContain(`::add-mask::${password}`)
    expect((error as Error).message).not.toContain(password)
    expect(visibleLog(output)).not.toContain(password)
  })
})

describe('readSmokeCheckSettings', () => {
  const SERVER = {
    host: 'deploy@web1',
    password: 'correct horse battery staple',
    'insecure-skip-host-key-check': 'true',
    'app-dir': '/srv/app'
  }
  const read = (values: Record<string, string>) => readSmokeCheckSettings(mapInputs(values))

  it('from the runner needs no server', () => {
    expect(read({ urls: 'http://a/' }).remote).toBeUndefined()
  })

  it('from the servers reads the connection, without the app', () => {
    const s = read({ ...SERVER, urls: 'http://127.0.0.1/', from: 'server' })
    expect(s.remote?.connection.targets.map(t => t.address.label)).toEqual(['deploy@web1'])
    expect(s.remote?.app).toBeUndefined()
  })

  it('from a container reads the app too', () => {
    const s = read({ ...SERVER, urls: 'http://127.0.0.1/', from: 'container:web' })
    expect(s.remote?.app?.appDir).toBe('/srv/app')
  })

  it('from the servers refuses missing connection inputs', () => {
    expect(() => read({ urls: 'http://127.0.0.1/', from: 'server', host: 'web1' })).toThrow(
      /^Input 'key': no way to log in/
    )
  })

  it('takes a connection read already', () => {
    const { remote } = read({ ...SERVER, urls: 'http://127.0.0.1/', from: 'server' })
    const s = readSmokeCheckSettings(
      mapInputs({ urls: 'http://127.0.0.1/', from: 'server' }),
      remote?.connection
    )
    expect(s.remote?.connection).toBe(remote?.connection)
  })
})
