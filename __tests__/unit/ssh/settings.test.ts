import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mapInputs } from '../../../src/core/inputs.js'
import { readSshSettings } from '../../../src/ssh/settings.js'
import { CONNECTION_INPUTS } from '../../helpers/connection-inputs.js'

const dir = mkdtempSync(join(tmpdir(), 'ssh-action-settings-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const read = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  readSshSettings(mapInputs({ ...CONNECTION_INPUTS, ...inputs }), env)

describe('readSshSettings', () => {
  it('defaults: set -eu, sh, no capture, the command timeout', () => {
    const s = read({ script: '  cd /srv/app\n  docker compose up -d\n' })
    expect(s).toMatchObject({
      script: '  cd /srv/app\n  docker compose up -d\n',
      scriptSource: 'script',
      stop: true,
      shell: 'sh',
      env: {},
      capture: false,
      timeoutMs: 1_800_000
    })
  })

  it('reads script-path on the runner, script-stop, shell, capture and a Go-style timeout', () => {
    const path = join(dir, 'deploy.sh')
    writeFileSync(path, 'echo from a file\n')
    const s = read({
      'script-path': path,
      'script-stop': 'false',
      shell: '/bin/bash',
      capture: 'true',
      timeout: '1h30m',
      'command-timeout': '60'
    })
    expect(s).toMatchObject({
      script: 'echo from a file\n',
      scriptSource: path,
      stop: false,
      shell: '/bin/bash',
      capture: true,
      timeoutMs: 5_400_000
    })
    expect(s.connection.commandTimeoutMs).toBe(60_000)
  })

  it('forwards the envs it names from the step environment, exactly as they are', () => {
    const env = { APP_ENV: 'production', TOKEN: "it's $(id)\n`x`", EMPTY: '', OTHER: 'no' }
    expect(read({ script: 'true', envs: ' APP_ENV , TOKEN,\nEMPTY,APP_ENV' }, env).env).toEqual({
      APP_ENV: 'production',
      TOKEN: "it's $(id)\n`x`",
      EMPTY: ''
    })
  })

  it.each<[string, Record<string, string>, string | RegExp]>([
    [
      'neither script nor script-path',
      { script: ' \n' },
      "Input 'script': is empty, and so is script-path. Give the commands to run in script, or a script file on the runner in script-path"
    ],
    [
      'both script and script-path',
      { script: 'true', 'script-path': 'deploy.sh' },
      "Input 'script': is set together with script-path. Give only one of them"
    ],
    [
      'a script-path that is not there',
      { 'script-path': '/nonexistent/deploy.sh' },
      /^Input 'script-path': cannot read "\/nonexistent\/deploy\.sh" \(ENOENT\)/
    ],
    ['a NUL in the script', { script: 'echo a\0b' }, "Input 'script': holds a NUL byte"],
    [
      'an env name that is no name',
      { script: 'true', envs: 'APP-ENV' },
      /^Input 'envs': "APP-ENV" is not a variable name/
    ],
    [
      'the name the action uses itself',
      { script: 'true', envs: 'DEPLOYKIT_SCRIPT' },
      /^Input 'envs': DEPLOYKIT_SCRIPT is a name the action uses itself/
    ],
    [
      'an env the step does not set',
      { script: 'true', envs: 'MISSING' },
      "Input 'envs': MISSING is not set in the step's environment. Set it with env: on the step (e.g. MISSING: ${{ secrets.MISSING }}) or remove it from envs"
    ],
    [
      'a shell that is no name',
      { script: 'true', shell: 'bash -x' },
      /^Input 'shell': "bash -x" is not a shell name or path/
    ],
    ['a shell like an option', { script: 'true', shell: '-i' }, /^Input 'shell': "-i"/],
    [
      'a bad timeout',
      { script: 'true', timeout: '10 minutes' },
      /^Input 'timeout': "10 minutes" is not a duration/
    ],
    ['a bad script-stop', { script: 'true', 'script-stop': 'maybe' }, /^Input 'script-stop'/],
    ['a bad capture', { script: 'true', capture: 'yes please' }, /^Input 'capture'/]
  ])('refuses %s', (_what, inputs, message) => {
    expect(() => read(inputs)).toThrow(message)
  })

  it('refuses an empty script file', () => {
    const path = join(dir, 'empty.sh')
    writeFileSync(path, '\n')
    expect(() => read({ 'script-path': path })).toThrow(`Input 'script-path': "${path}" is empty`)
  })
})
