import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  PREFLIGHT_LOG_MARK,
  preflightCommand,
  PreflightRequest
} from '../../../src/commands/preflight.js'
import { HostContext } from '../../../src/core/fleet.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { parsePreflight, preflightHost } from '../../../src/ssh-deploy/host-deploy/preflight.js'
import { readDeploySettings } from '../../../src/ssh-deploy/settings.js'
import { LocalShell } from '../../helpers/local-shell.js'
import { DASH, NL, Q, shown, SUB } from '../../helpers/command-text.js'

const request = (extra: Partial<PreflightRequest> = {}): PreflightRequest => ({
  appDir: `/srv/${Q}`,
  minFreeKib: 512000,
  compose: 'auto',
  log: `/srv/${Q}/.deploy-kit/releases.jsonl`,
  ...extra
})

describe('preflight command', () => {
  it.each([
    [
      'quoted app-dir',
      request(),
      ["/srv/it's", '512000', 'auto', "/srv/it's/.deploy-kit/releases.jsonl"]
    ],
    [
      'hostile values',
      request({ appDir: SUB, log: NL, compose: 'v1', minFreeKib: 12.7 }),
      [SUB, '12', 'v1', NL]
    ],
    [
      'a negative floor is none',
      request({ appDir: DASH, minFreeKib: -5 }),
      [DASH, '0', 'auto', "/srv/it's/.deploy-kit/releases.jsonl"]
    ]
  ])('%s: every value a positional argument', (_label, r, args) => {
    const cmd = preflightCommand(r)
    expect(cmd.argv.slice(0, 2)).toEqual(['sh', '-c'])
    expect(cmd.argv.slice(3)).toEqual(['sh', ...args])
    for (const value of [r.appDir, r.log]) expect(cmd.argv[2]).not.toContain(value)
    expect(shown(cmd)).toMatch(/^sh -c '/)
  })
})

// The script itself, run by a local sh against a docker stand-in on PATH.
describe('preflight command, run', () => {
  let dir: string
  const fakeDocker = (infoExit: number, infoText: string, compose: boolean) => {
    const bin = join(dir, `bin-${infoExit}-${compose}`)
    mkdirSync(bin, { recursive: true })
    writeFileSync(
      join(bin, 'docker'),
      [
        '#!/bin/sh',
        `if [ "$1" = version ]; then echo "${infoText}" >&2; exit ${infoExit}; fi`,
        `if [ "$1" = compose ]; then exit ${compose ? 0 : 1}; fi`,
        'exit 0',
        ''
      ].join('\n')
    )
    chmodSync(join(bin, 'docker'), 0o755)
    return bin
  }
  const run = async (bin: string, r: PreflightRequest) => {
    const cmd = preflightCommand(r)
    // Only the stand-in and the tools the script needs: not the machine's docker or docker-compose.
    return new LocalShell('local').exec({ ...cmd, env: { PATH: `${bin}:${tools}` } })
  }

  let tools: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-preflight-'))
    tools = join(dir, 'tools')
    mkdirSync(tools)
    for (const tool of ['sh', 'dirname', 'df', 'awk', 'tr', 'cut', 'cat'])
      symlinkSync(
        execFileSync('sh', ['-c', `command -v ${tool}`])
          .toString()
          .trim(),
        join(tools, tool)
      )
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reports nothing on a ready host, the Compose it has and the release log after the mark', async () => {
    const app = join(dir, 'ready')
    mkdirSync(join(app, '.deploy-kit'), { recursive: true })
    writeFileSync(join(app, '.deploy-kit', 'releases.jsonl'), '{"id":"r1"}\n')
    const r = await run(
      fakeDocker(0, '', true),
      request({ appDir: app, minFreeKib: 0, log: join(app, '.deploy-kit', 'releases.jsonl') })
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`compose\tv2\n${PREFLIGHT_LOG_MARK}\n{"id":"r1"}\n`)
  })

  it('reports every problem of the host at once, for an app-dir still to be made', async () => {
    const denied =
      'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: dial unix /var/run/docker.sock: connect: permission denied'
    const r = await run(
      fakeDocker(1, denied, false),
      request({ appDir: join(dir, 'not', 'yet'), minFreeKib: 1e15, log: join(dir, 'none') })
    )
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')).toEqual([
      `problem\tdocker-daemon\t${denied}`,
      'problem\tcompose\tauto',
      expect.stringMatching(new RegExp(`^problem\tdisk\t\\d+ ${dir}$`)),
      PREFLIGHT_LOG_MARK,
      ''
    ])
  })

  it('reports a missing docker, and a file where app-dir should be', async () => {
    const file = join(dir, 'a-file')
    writeFileSync(file, '')
    const r = await run(
      join(dir, 'empty-bin'),
      request({ appDir: join(file, 'app'), minFreeKib: 0, log: join(dir, 'none') })
    )
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(/^problem\tdocker-missing\t/),
      'problem\tcompose\tauto',
      `problem\tapp-dir-not-dir\t${file}`
    ])
  })
})

describe('parsePreflight', () => {
  const s = readDeploySettings(
    mapInputs({
      host: 'deploy@10.213.0.12',
      'insecure-skip-host-key-check': 'true',
      password: 'not-used-here',
      'app-dir': '/srv/app',
      source: 'none',
      'min-free-mb': '500'
    }),
    { sha: 'a'.repeat(40), actor: '', runUrl: '', runKey: 'k', serverUrl: '', repository: '' }
  )
  const log = [
    '{"id":"r1","ref":"v1","status":"started","source":"upload"}',
    '{"id":"r1","status":"succeeded"}',
    '{"id":"r2","ref":"v2","status":"started","source":"upload"}',
    '{"id":"r2","status":"failed"}'
  ].join('\n')
  it.each([
    ['a ready host', `compose\tv1\n${PREFLIGHT_LOG_MARK}\n${log}\n`, [], ['docker-compose'], 'r1'],
    [
      'the deploy user outside the docker group',
      `problem\tdocker-daemon\tpermission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.47/info": dial unix /var/run/docker.sock: connect: permission denied\ncompose\tv2\n${PREFLIGHT_LOG_MARK}\n`,
      [
        'the user cannot reach the Docker daemon (permission denied on /var/run/docker.sock): add it to the docker group'
      ],
      ['docker', 'compose'],
      undefined
    ],
    [
      'a stopped daemon, no Compose, a read-only parent, a full disk',
      `problem\tdocker-daemon\tCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\nproblem\tcompose\tauto\nproblem\tapp-dir-not-writable\t/srv\nproblem\tdisk\t20480 /srv\n${PREFLIGHT_LOG_MARK}\n`,
      [
        'the Docker daemon does not answer (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?): start it, or check DOCKER_HOST',
        'neither `docker compose` nor `docker-compose` works: install Docker Compose',
        'the user cannot write to /srv (app-dir: /srv/app): give it to the deploy user',
        'only 20 MB free on /srv, below min-free-mb 500: free some space'
      ],
      undefined,
      undefined
    ],
    [
      'output cut short',
      'compose\tv2\n',
      ['the checks did not finish'],
      ['docker', 'compose'],
      undefined
    ]
  ])('%s', (_label, stdout, problems, binary, live) => {
    const found = parsePreflight(stdout, s)
    expect(found.problems).toEqual(problems)
    expect(found.binary).toEqual(binary)
    expect(found.live?.id).toEqual(live)
  })

  it('says when the checks could not run', async () => {
    const host = new HostContext(
      {
        label: 'x',
        exec: async () => ({
          code: 127,
          signal: null,
          stdout: '',
          stderr: 'sh: not found',
          timedOut: false
        }),
        upload: async () => undefined,
        close: async () => undefined
      },
      ''
    )
    expect((await preflightHost(host, s)).problems).toEqual([
      'the checks did not finish',
      'the checks exited with code 127'
    ])
  })
})
