import { describe, expect, it } from '@jest/globals'
import { parseProbeOutput } from '../../../src/smoke-check/probe-output.js'

const MARK = 'DKPROBE-0123456789abcdef'

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
