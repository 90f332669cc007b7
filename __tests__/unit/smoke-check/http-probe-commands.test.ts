import { describe, expect, it } from '@jest/globals'
import {
  busyboxWgetArgv,
  curlArgv,
  curlConfig,
  gnuWgetArgv,
  parseProbeOutput,
  PROBE_SCRIPT,
  ProbeRequest,
  probeArgv,
  probeStdin,
  wgetrc
} from '../../../src/smoke-check/http-probe-commands.js'

const MARK = 'DKPROBE-0123456789abcdef'

function request(extra: Partial<ProbeRequest> = {}): ProbeRequest {
  return {
    method: 'GET',
    url: 'http://127.0.0.1:8080/health',
    headers: [],
    insecureTls: false,
    timeoutSeconds: 10,
    ...extra
  }
}

const HOSTILE = `$(touch /tmp/pwned) '; rm -rf / #`

describe('curl', () => {
  it('writes the body, then the status, timing and redirect target after the marker', () => {
    expect(curlArgv(request(), MARK)).toEqual([
      'curl',
      '--silent',
      '--show-error',
      '--globoff',
      '--output',
      '-',
      '--write-out',
      `\\n${MARK} status=%{http_code} seconds=%{time_total} location=%{redirect_url}\\n`,
      '--max-time',
      '10',
      '--config',
      '-'
    ])
  })

  it('maps methods and TLS to flags, and never follows a redirect itself', () => {
    const argv = curlArgv(request({ method: 'POST', insecureTls: true }), MARK)
    expect(argv).not.toContain('--location')
    expect(argv).toContain('--insecure')
    expect(argv.join(' ')).toContain('--request POST --data-binary  --config -')
    expect(curlArgv(request({ method: 'HEAD' }), MARK)).toContain('--head')
    expect(curlArgv(request({ method: 'DELETE' }), MARK).join(' ')).toContain('--request DELETE')
  })

  it('reads the headers and the URL from its config, quoted in curl’s syntax', () => {
    expect(
      curlConfig(
        request({
          url: 'http://127.0.0.1/?q=%22x%22',
          headers: [
            { name: 'Authorization', value: `Bearer ${HOSTILE}` },
            { name: 'X-Quote', value: 'say "hi" \\ back' }
          ]
        })
      )
    ).toBe(
      [
        `header = "Authorization: Bearer ${HOSTILE}"`,
        'header = "X-Quote: say \\"hi\\" \\\\ back"',
        'url = "http://127.0.0.1/?q=%22x%22"',
        ''
      ].join('\n')
    )
  })
})

describe('GNU wget', () => {
  it('prints headers on stderr and bodies of error responses too, and stops at a redirect', () => {
    expect(gnuWgetArgv(request())).toEqual([
      'wget',
      '--no-verbose',
      '--server-response',
      '--output-document=-',
      '--tries=1',
      '--timeout=10',
      '--content-on-error',
      '--max-redirect=0'
    ])
  })

  it('sends other methods when asked', () => {
    const argv = gnuWgetArgv(request({ method: 'PUT', insecureTls: true }))
    expect(argv).toContain('--no-check-certificate')
    expect(argv).toContain('--method=PUT')
    expect(argv).toContain('--body-data=')
  })

  it('reads the headers from a startup file, one line each', () => {
    expect(wgetrc(request({ headers: [{ name: 'X-Token', value: HOSTILE }] }))).toBe(
      `header = X-Token: ${HOSTILE}\n`
    )
  })
})

describe('busybox wget', () => {
  it('sends GET and POST, nothing else', () => {
    expect(busyboxWgetArgv(request())).toEqual([
      'wget',
      '-q',
      '-S',
      '-O',
      '-',
      'http://127.0.0.1:8080/health'
    ])
    expect(busyboxWgetArgv(request({ method: 'POST' }))).toContain('--post-data')
    expect(busyboxWgetArgv(request({ method: 'HEAD' }))).toBeUndefined()
    expect(busyboxWgetArgv(request({ method: 'DELETE' }))).toBeUndefined()
  })

  it('never gets -T, which crashes Debian busybox 1.35', () => {
    expect(busyboxWgetArgv(request({ timeoutSeconds: 3 }))).not.toContain('-T')
  })
})

describe('probe command', () => {
  const secret = request({
    url: `http://127.0.0.1/?token=${encodeURIComponent(HOSTILE)}`,
    headers: [
      { name: 'X-Token', value: HOSTILE },
      { name: 'Authorization', value: 'Basic ZGVwbG95OnB3LWluLXVybA==' }
    ]
  })

  it('passes every value as a positional argument of a fixed script', () => {
    const req = request({ url: 'http://127.0.0.1/health' })
    const argv = probeArgv(req, MARK)
    const curl = curlArgv(req, MARK)
    const wget = gnuWgetArgv(req)
    expect(argv.slice(0, 4)).toEqual(['sh', '-c', PROBE_SCRIPT, 'deploykit-probe'])
    expect(argv.slice(4, 9)).toEqual([MARK, '10', '', String(curl.length), String(wget.length)])
    expect(argv.slice(9)).toEqual([...curl, ...wget, ...busyboxWgetArgv(req)!])
    expect(PROBE_SCRIPT).not.toContain('127.0.0.1')
  })

  it('keeps header values, credentials and the URL out of its argv', () => {
    const argv = probeArgv(secret, MARK).join(' ')
    for (const value of [HOSTILE, encodeURIComponent(HOSTILE), 'ZGVwbG95OnB3LWluLXVybA==']) {
      expect(argv).not.toContain(value)
    }
    expect(argv).not.toContain('127.0.0.1')
  })

  it('sends them on its stdin: curl’s config, a marker line, wget’s startup file, a marker line, the URL', () => {
    expect(probeStdin(secret, MARK)).toBe(
      `${curlConfig(secret)}${MARK}\n${wgetrc(secret)}${MARK}\n${secret.url}\n`
    )
  })

  it('tells the script what busybox wget cannot do: a method, or headers', () => {
    const req = request({ method: 'PATCH' })
    const patch = probeArgv(req, MARK)
    expect(patch[6]).toBe('method')
    expect(patch.length).toBe(9 + curlArgv(req, MARK).length + gnuWgetArgv(req).length)
    expect(probeArgv(secret, MARK)[6]).toBe('headers')
  })
})

describe('parsing the probe output', () => {
  it('reads curl: body, status and time', () => {
    const stdout = `{"status":"ok"}\n${MARK} status=200 seconds=0.012345 location=\n\n${MARK} client=curl exit=0 start=1.00 end=1.02\n`
    expect(parseProbeOutput(stdout, '', MARK, true)).toEqual({
      client: 'curl',
      status: 200,
      body: '{"status":"ok"}',
      latencyMs: 12
    })
  })

  it('reads where curl’s redirect points, whole', () => {
    const stdout = `moved\n${MARK} status=302 seconds=0.001 location=http://127.0.0.1:81/new?a=1&b=x%20y\n\n${MARK} client=curl exit=0 start= end=\n`
    expect(parseProbeOutput(stdout, '', MARK, true)).toMatchObject({
      status: 302,
      body: 'moved',
      location: 'http://127.0.0.1:81/new?a=1&b=x%20y'
    })
  })

  it('reads where GNU wget’s redirect points, from the headers it printed', () => {
    const stderr =
      '  HTTP/1.1 301 Moved Permanently\n  location: /next?x=1\n  Content-Length: 0\n0 redirections exceeded.\n'
    const stdout = `\n${MARK} client=wget exit=8 start=1 end=1.01\n`
    expect(parseProbeOutput(stdout, stderr, MARK, true)).toMatchObject({
      status: 301,
      location: '/next?x=1'
    })
  })

  it('reports curl errors, timeouts and TLS rejections', () => {
    const refused = `\n${MARK} status=000 seconds=0.000400\n\n${MARK} client=curl exit=7 start= end=\n`
    expect(
      parseProbeOutput(refused, 'curl: (7) Failed to connect to 127.0.0.1 port 1\n', MARK, true)
    ).toMatchObject({ client: 'curl', error: 'curl: (7) Failed to connect to 127.0.0.1 port 1' })
    const slow = refused.replace('exit=7', 'exit=28')
    expect(parseProbeOutput(slow, 'curl: (28) ...', MARK, true).error).toBe(
      'no complete response before the timeout'
    )
    const tls = refused.replace('exit=7', 'exit=60')
    expect(
      parseProbeOutput(
        tls,
        'curl: (60) SSL certificate problem: self-signed certificate',
        MARK,
        true
      ).error
    ).toMatch(/self-signed certificate; set insecure-tls: true/)
  })

  it('reads wget: the status from the -S headers, the time from /proc/uptime', () => {
    const stderr = '  HTTP/1.1 302 Found\n  Location: /ok\n  HTTP/1.1 200 OK\n  Content-Length: 2\n'
    const stdout = `ok\n${MARK} client=busybox-wget exit=0 start=100.25 end=100.40\n`
    expect(parseProbeOutput(stdout, stderr, MARK, true)).toEqual({
      client: 'busybox-wget',
      status: 200,
      body: 'ok',
      latencyMs: 150
    })
    expect(parseProbeOutput(stdout, stderr, MARK, false)).toMatchObject({ status: 302, body: '' })
  })

  it('reads an error status from wget, which exits non-zero for it', () => {
    const stderr = '  HTTP/1.1 503 Service Unavailable\nwget: server returned error\n'
    const stdout = `\n${MARK} client=busybox-wget exit=1 start= end=\n`
    expect(parseProbeOutput(stdout, stderr, MARK, true)).toEqual({
      client: 'busybox-wget',
      status: 503,
      body: '',
      latencyMs: undefined
    })
  })

  it('explains wget failures', () => {
    const out = (exit: string, client = 'wget') =>
      `\n${MARK} client=${client} exit=${exit} start=1 end=2\n`
    expect(parseProbeOutput(out('4'), 'failed: Connection refused.\n', MARK, true).error).toBe(
      'failed: Connection refused.'
    )
    expect(parseProbeOutput(out('5'), 'use --no-check-certificate', MARK, true).error).toMatch(
      /TLS certificate not accepted by wget; set insecure-tls: true/
    )
    expect(parseProbeOutput(out('124'), '', MARK, true).error).toBe(
      'no complete response before the timeout'
    )
    expect(parseProbeOutput(out('143', 'busybox-wget'), '', MARK, true).error).toBe(
      'no complete response before the timeout'
    )
  })

  it('says when there is no HTTP client, or it cannot send the method (retrying cannot help)', () => {
    expect(parseProbeOutput(`\n${MARK} client=none\n`, '', MARK, true)).toMatchObject({
      fatal: true,
      error: 'no HTTP client: neither curl nor wget is installed there'
    })
    expect(
      parseProbeOutput(`\n${MARK} client=busybox-wget unsupported=method\n`, '', MARK, true)
    ).toMatchObject({ fatal: true, error: expect.stringMatching(/only GET and POST/) })
    expect(
      parseProbeOutput(`\n${MARK} client=busybox-wget unsupported=headers\n`, '', MARK, true)
    ).toMatchObject({ fatal: true, unsupported: 'headers' })
  })

  it('passes on what went wrong when the probe did not run at all', () => {
    expect(parseProbeOutput('', 'ERROR: No container found for api_1\n', MARK, true)).toEqual({
      body: '',
      error: 'ERROR: No container found for api_1'
    })
  })

  it('keeps a body that contains a marker-like text, splitting at the real marker', () => {
    const stdout = `DKPROBE-other status=999\n${MARK} status=200 seconds=0.001\n\n${MARK} client=curl exit=0 start= end=\n`
    expect(parseProbeOutput(stdout, '', MARK, true)).toMatchObject({
      status: 200,
      body: 'DKPROBE-other status=999'
    })
  })
})
