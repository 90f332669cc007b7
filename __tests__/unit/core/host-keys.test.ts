import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  fingerprintOf,
  fingerprintPolicy,
  knownHostsPolicy,
  parseFingerprints,
  parseKnownHosts
} from '../../../src/core/host-keys.js'

// Real keys and hashed lines from ssh-keygen, so the formats are OpenSSH's own.
const dir = mkdtempSync(join(tmpdir(), 'deploykit-hostkeys-'))
function makeKey(name: string, type = 'ed25519') {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', join(dir, name)])
  const [keyType, b64] = readFileSync(join(dir, `${name}.pub`), 'utf8').split(' ')
  const printed = execFileSync(
    'ssh-keygen',
    ['-l', '-E', 'sha256', '-f', join(dir, `${name}.pub`)],
    { encoding: 'utf8' }
  )
  return { keyType, b64, raw: Buffer.from(b64, 'base64'), fingerprint: printed.split(' ')[1] }
}
const a = makeKey('a')
const b = makeKey('b')
const rsa = makeKey('r', 'rsa')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('fingerprints', () => {
  it('match what ssh-keygen -lf prints', () => {
    expect(fingerprintOf(a.raw)).toBe(a.fingerprint)
    expect(fingerprintOf(rsa.raw)).toBe(rsa.fingerprint)
  })

  it('accept only the listed key', () => {
    const policy = fingerprintPolicy(parseFingerprints(`${a.fingerprint}\n`))
    expect(policy.check(a.raw)).toBeNull()
    expect(policy.check(b.raw)).toMatch(/host key mismatch: the server offered ssh-ed25519 SHA256:/)
  })

  it('reject an MD5 or malformed fingerprint with the command that prints the right one', () => {
    expect(() => parseFingerprints('MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48')).toThrow(
      /ssh-keygen -lf -/
    )
  })
})

describe('known_hosts', () => {
  it('matches plain names, [host]:port names, and wildcards', () => {
    const entries = parseKnownHosts(
      [
        `web1.example.com ${a.keyType} ${a.b64}`,
        `[10.0.0.5]:2222 ${b.keyType} ${b.b64}`,
        `*.internal ${rsa.keyType} ${rsa.b64}`
      ].join('\n')
    )
    expect(knownHostsPolicy(entries, 'web1.example.com', 22).check(a.raw)).toBeNull()
    expect(knownHostsPolicy(entries, '10.0.0.5', 2222).check(b.raw)).toBeNull()
    expect(knownHostsPolicy(entries, '10.0.0.5', 22).check(b.raw)).toMatch(
      /no known-hosts line matches "10.0.0.5"/
    )
    expect(knownHostsPolicy(entries, 'db.internal', 22).check(rsa.raw)).toBeNull()
    expect(knownHostsPolicy(entries, 'web1.example.com', 22).check(b.raw)).toMatch(
      /host key mismatch/
    )
  })

  it('matches lines hashed by ssh-keygen -H', () => {
    const file = join(dir, 'known_hosts')
    writeFileSync(file, `[127.0.0.2]:2201 ${a.keyType} ${a.b64}\nweb1 ${b.keyType} ${b.b64}\n`)
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' })
    const entries = parseKnownHosts(readFileSync(file, 'utf8'))
    expect(knownHostsPolicy(entries, '127.0.0.2', 2201).check(a.raw)).toBeNull()
    expect(knownHostsPolicy(entries, 'web1', 22).check(b.raw)).toBeNull()
    expect(knownHostsPolicy(entries, '127.0.0.2', 22).check(a.raw)).not.toBeNull()
  })

  it('offers only the key types it can check, RSA under its SHA-2 names too', () => {
    const entries = parseKnownHosts(`web1 ${rsa.keyType} ${rsa.b64}`)
    expect(knownHostsPolicy(entries, 'web1', 22).algorithms).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa'
    ])
  })

  it('honours negated patterns and @revoked', () => {
    const entries = parseKnownHosts(
      `*.example.com,!bad.example.com ${a.keyType} ${a.b64}\n@revoked * ${b.keyType} ${b.b64}`
    )
    expect(knownHostsPolicy(entries, 'bad.example.com', 22).check(a.raw)).toMatch(
      /no known-hosts line/
    )
    expect(knownHostsPolicy(entries, 'good.example.com', 22).check(b.raw)).toMatch(/@revoked/)
  })

  it('rejects a line that is not known_hosts, naming the line', () => {
    expect(() => parseKnownHosts(`# comment\nweb1 ${a.keyType}`)).toThrow(
      /line 2 is not a known_hosts line.*ssh-keyscan/
    )
    expect(() => parseKnownHosts(`web1 ssh-rsa ${a.b64}`)).toThrow(/line 1/)
  })
})
