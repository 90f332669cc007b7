import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readConnectionSettings } from '../../../src/core/connection-settings.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { captureOutput, visibleLog } from '../../helpers/capture-output.js'

const dir = mkdtempSync(join(tmpdir(), 'deploykit-settings-'))
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')])
const KEY = readFileSync(join(dir, 'id'), 'utf8')
const PUB = readFileSync(join(dir, 'id.pub'), 'utf8').split(' ').slice(0, 2).join(' ')
rmSync(dir, { recursive: true, force: true })

const base = { host: 'deploy@web1.example.com', key: KEY, 'known-hosts': `web1.example.com ${PUB}` }
const read = (extra: Record<string, string> = {}) =>
  readConnectionSettings(mapInputs({ ...base, ...extra }))

describe('readConnectionSettings', () => {
  it('fills defaults', () => {
    const s = read()
    expect(s.targets[0].address).toMatchObject({
      host: 'web1.example.com',
      port: 22,
      username: 'deploy'
    })
    expect(s).toMatchObject({
      connectTimeoutMs: 30000,
      connectRetries: 3,
      commandTimeoutMs: 1800000,
      maxParallel: 10,
      insecureSkipHostKeyCheck: false
    })
  })

  it('takes port and username as defaults for bare host entries', () => {
    const s = read({
      host: 'web1.example.com\nroot@web2.example.com:2200',
      port: '2222',
      username: 'ops'
    })
    expect(s.targets.map(t => t.address.label)).toEqual([
      'ops@web1.example.com:2222',
      'root@web2.example.com:2200'
    ])
  })

  it.each([
    ['username', 'deploy\n::warning::forged'],
    ['username', '-oProxyCommand=id'],
    ['proxy-username', 'jump user']
  ])('refuses %s %j, which would break the host labels in the log', (input, value) => {
    expect(() =>
      read({
        username: 'deploy',
        host: 'web1.example.com',
        'proxy-host': 'bastion.example.com',
        [input]: value
      })
    ).toThrow(
      new RegExp(
        `^Input '${input}': ${JSON.stringify(value).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} is not a valid user name`
      )
    )
  })

  it('explains how to get a host key when none is given', () => {
    expect(() => read({ 'known-hosts': '' })).toThrow(
      /^Input 'known-hosts': no host key to check deploy@web1\.example\.com against\. Get the value .*`ssh-keyscan -p 22 web1\.example\.com`.*insecure-skip-host-key-check: true/
    )
  })

  it('needs a way to log in', () => {
    expect(() => read({ key: '' })).toThrow(/^Input 'key': no way to log in was given\. Set key/)
  })

  it('refuses a public key or a path pasted as key', () => {
    expect(() => read({ key: `ssh-ed25519 AAAA… me@laptop` })).toThrow(
      /does not hold a private key.*not the \.pub file/
    )
    expect(() => read({ key: '', 'key-path': '/nonexistent/id_ed25519' })).toThrow(
      /^Input 'key-path': cannot read "\/nonexistent\/id_ed25519" \(ENOENT\)/
    )
    expect(() => read({ 'key-path': '/x' })).toThrow(/Input 'key': is set together with key-path/)
  })

  it.each([
    ['connect-timeout', 'soon', /Input 'connect-timeout': "soon" is not a duration/],
    ['command-timeout', '5m', null],
    ['max-parallel', '0', /Input 'max-parallel': "0" is not a whole number from 1 to 100/],
    ['insecure-skip-host-key-check', 'maybe', /is not a boolean/],
    ['port', '70000', /Input 'port': port "70000"/]
  ])('checks %s=%j', (name, value, error) => {
    if (error) expect(() => read({ [name]: value })).toThrow(error)
    else expect(read({ [name]: value }).commandTimeoutMs).toBe(300000)
  })

  it('uses the jump host with its own user and key check, and the main key unless proxy-key is set', () => {
    const s = read({
      'proxy-host': 'bastion.example.com:2200',
      'proxy-username': 'jump',
      'proxy-known-hosts': `[bastion.example.com]:2200 ${PUB}`
    })
    expect(s.proxy?.address.label).toBe('jump@bastion.example.com:2200')
    expect(s.proxy?.credentials.privateKey).toBe(s.targets[0].credentials.privateKey)
    expect(() => read({ 'proxy-host': 'bastion.example.com' })).toThrow(
      /^Input 'proxy-known-hosts': no host key to check deploy@bastion\.example\.com/
    )
  })

  it('registers every secret before reporting a bad input, and never shows it', async () => {
    const password = 'hunter2-but-longer'
    const { output, error } = await captureOutput(async () =>
      read({ password, 'proxy-password': 'proxy-Secret-9', port: 'nope' })
    )
    expect(String(error)).toMatch(/Input 'port'/)
    expect(output).toContain(`::add-mask::${password}`)
    expect(output).toContain('::add-mask::proxy-Secret-9')
    expect(output).toContain(`::add-mask::${KEY.split('\n')[1]}`)
    expect(visibleLog(output)).not.toContain(password)
  })
})
