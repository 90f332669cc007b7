import { describe, expect, it } from '@jest/globals'
import {
  busyboxWgetArgv,
  curlArgv,
  curlConfig,
  gnuWgetArgv,
  inRunningService,
  onServer,
  PROBE_SCRIPT,
  ProbeRequest,
  probeArgv,
  probeCommand,
  probeStdin,
  wgetrc
} from '../../../src/commands/http-probe.js'
import type { ComposeProject } from '../../../src/commands/compose.js'
import { toShell } from '../../../src/core/remote-command.js'
import { quote } from '../../../src/core/shell.js'

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

const project: ComposeProject = {
  binary: ['docker', 'compose'],
  dir: '/srv/app',
  files: ['compose.yml'],
  envFile: '/srv/app/.env',
  projectName: 'app'
}

/** The clients' argv as shell text. */
const sh = (argv: readonly string[] | undefined) => toShell({ argv: argv ?? [] })

/** The probe script is a constant; its own behaviour is tested in the probe-script suite. */
const SCRIPT = quote(PROBE_SCRIPT)

describe('probe commands as sent', () => {
  it.each<[string, string, string]>([
    [
      'curl GET',
      sh(curlArgv(request(), MARK)),
      "curl --silent --show-error --globoff --output - --write-out '\\nDKPROBE-0123456789abcdef status=%{http_code} seconds=%{time_total} location=%{redirect_url}\\n' --max-time 10 --config -"
    ],
    [
      'curl HEAD, insecure TLS',
      sh(curlArgv(request({ method: 'HEAD', insecureTls: true }), MARK)),
      "curl --silent --show-error --globoff --output - --write-out '\\nDKPROBE-0123456789abcdef status=%{http_code} seconds=%{time_total} location=%{redirect_url}\\n' --max-time 10 --insecure --head --config -"
    ],
    [
      'curl POST sends an empty body',
      sh(curlArgv(request({ method: 'POST', timeoutSeconds: 3 }), MARK)),
      "curl --silent --show-error --globoff --output - --write-out '\\nDKPROBE-0123456789abcdef status=%{http_code} seconds=%{time_total} location=%{redirect_url}\\n' --max-time 3 --request POST --data-binary '' --config -"
    ],
    [
      'curl DELETE',
      sh(curlArgv(request({ method: 'DELETE' }), MARK)),
      "curl --silent --show-error --globoff --output - --write-out '\\nDKPROBE-0123456789abcdef status=%{http_code} seconds=%{time_total} location=%{redirect_url}\\n' --max-time 10 --request DELETE --config -"
    ],
    [
      'curl: a hostile marker stays one argument',
      sh(curlArgv(request(), "M'$(id)\n-x")),
      "curl --silent --show-error --globoff --output - --write-out '\\nM'\\''$(id)\n-x status=%{http_code} seconds=%{time_total} location=%{redirect_url}\\n' --max-time 10 --config -"
    ],
    [
      'GNU wget GET',
      sh(gnuWgetArgv(request())),
      'wget --no-verbose --server-response --output-document=- --tries=1 --timeout=10 --content-on-error --max-redirect=0'
    ],
    [
      'GNU wget PUT, insecure TLS',
      sh(gnuWgetArgv(request({ method: 'PUT', insecureTls: true }))),
      'wget --no-verbose --server-response --output-document=- --tries=1 --timeout=10 --content-on-error --max-redirect=0 --no-check-certificate --method=PUT --body-data='
    ],
    [
      'GNU wget OPTIONS',
      sh(gnuWgetArgv(request({ method: 'OPTIONS' }))),
      'wget --no-verbose --server-response --output-document=- --tries=1 --timeout=10 --content-on-error --max-redirect=0 --method=OPTIONS'
    ],
    [
      'busybox wget GET',
      sh(busyboxWgetArgv(request())),
      'wget -q -S -O - http://127.0.0.1:8080/health'
    ],
    [
      'busybox wget POST, insecure TLS',
      sh(busyboxWgetArgv(request({ method: 'POST', insecureTls: true }))),
      "wget -q -S -O - --post-data '' --no-check-certificate http://127.0.0.1:8080/health"
    ],
    [
      'busybox wget: a hostile URL stays one argument',
      sh(busyboxWgetArgv(request({ url: `http://127.0.0.1/${HOSTILE}\n-x` }))),
      "wget -q -S -O - 'http://127.0.0.1/$(touch /tmp/pwned) '\\''; rm -rf / #\n-x'"
    ],
    [
      'the probe on the server',
      toShell(probeCommand(request(), MARK, onServer)),
      `sh -c ${SCRIPT} deploykit-probe DKPROBE-0123456789abcdef 10 '' 12 8 curl --silent --show-error --globoff --output - --write-out '\\nDKPROBE-0123456789abcdef status=%{http_code} seconds=%{time_total} location=%{redirect_url}\\n' --max-time 10 --config - wget --no-verbose --server-response --output-document=- --tries=1 --timeout=10 --content-on-error --max-redirect=0 wget -q -S -O - http://127.0.0.1:8080/health`
    ],
    [
      'the probe in a running service',
      toShell(probeCommand(request(), MARK, inRunningService(project, 'api'))),
      `cd /srv/app && docker compose --project-name app --file compose.yml --env-file /srv/app/.env exec -T api sh -c ${SCRIPT} deploykit-probe DKPROBE-0123456789abcdef 10 '' 12 8 curl --silent --show-error --globoff --output - --write-out '\\nDKPROBE-0123456789abcdef status=%{http_code} seconds=%{time_total} location=%{redirect_url}\\n' --max-time 10 --config - wget --no-verbose --server-response --output-document=- --tries=1 --timeout=10 --content-on-error --max-redirect=0 wget -q -S -O - http://127.0.0.1:8080/health`
    ],
    [
      'the probe with headers and a hostile URL: neither in the text',
      toShell(
        probeCommand(
          request({
            method: 'PATCH',
            url: `http://127.0.0.1/?q=${HOSTILE}`,
            headers: [{ name: 'X-Token', value: HOSTILE }]
          }),
          MARK,
          onServer
        )
      ),
      `sh -c ${SCRIPT} deploykit-probe DKPROBE-0123456789abcdef 10 method 16 10 curl --silent --show-error --globoff --output - --write-out '\\nDKPROBE-0123456789abcdef status=%{http_code} seconds=%{time_total} location=%{redirect_url}\\n' --max-time 10 --request PATCH --data-binary '' --config - wget --no-verbose --server-response --output-document=- --tries=1 --timeout=10 --content-on-error --max-redirect=0 --method=PATCH --body-data=`
    ],
    [
      'the probe of a HEAD busybox wget cannot send',
      toShell(probeCommand(request({ method: 'HEAD' }), MARK, onServer)),
      `sh -c ${SCRIPT} deploykit-probe DKPROBE-0123456789abcdef 10 method 13 9 curl --silent --show-error --globoff --output - --write-out '\\nDKPROBE-0123456789abcdef status=%{http_code} seconds=%{time_total} location=%{redirect_url}\\n' --max-time 10 --head --config - wget --no-verbose --server-response --output-document=- --tries=1 --timeout=10 --content-on-error --max-redirect=0 --method=HEAD`
    ]
  ])('%s', (_name, shell, expected) => {
    expect(shell).toBe(expected)
  })

  it.each<[string, string | Buffer | undefined, string]>([
    [
      'no headers: the URL only',
      probeCommand(request(), MARK, onServer).stdin,
      'url = "http://127.0.0.1:8080/health"\nDKPROBE-0123456789abcdef\nDKPROBE-0123456789abcdef\nhttp://127.0.0.1:8080/health\n'
    ],
    [
      'headers with quotes and $(): curl config quoted, wgetrc as is',
      probeCommand(
        request({
          url: 'http://127.0.0.1/a"b',
          headers: [
            { name: 'X-Token', value: HOSTILE },
            { name: 'X-Quote', value: 'say "hi" \\ back' }
          ]
        }),
        MARK,
        inRunningService(project, 'api')
      ).stdin,
      'header = "X-Token: $(touch /tmp/pwned) \'; rm -rf / #"\nheader = "X-Quote: say \\"hi\\" \\\\ back"\nurl = "http://127.0.0.1/a\\"b"\nDKPROBE-0123456789abcdef\nheader = X-Token: $(touch /tmp/pwned) \'; rm -rf / #\nheader = X-Quote: say "hi" \\ back\nDKPROBE-0123456789abcdef\nhttp://127.0.0.1/a"b\n'
    ]
  ])('stdin: %s', (_name, stdin, expected) => {
    expect(stdin).toBe(expected)
  })
})

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
