import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { InputError } from './errors.js'

/** One usable line of a known_hosts file. */
interface KnownHostEntry {
  marker: '' | '@revoked' | '@cert-authority'
  patterns: string
  keyType: string
  key: Buffer
}

/** `SHA256:…` exactly as `ssh-keygen -lf` and `ssh-keyscan | ssh-keygen -lf -` print it. */
export function fingerprintOf(rawKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(rawKey).digest('base64').replace(/=+$/, '')}`
}

/** The algorithm name inside an SSH public key blob (its first string). */
export function keyTypeOf(rawKey: Buffer): string {
  if (rawKey.length < 4) return ''
  const len = rawKey.readUInt32BE(0)
  return rawKey.subarray(4, 4 + len).toString('latin1')
}

export function parseKnownHosts(text: string, input = 'known-hosts'): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const fields = line.split(/\s+/)
    let marker: KnownHostEntry['marker'] = ''
    if (fields[0].startsWith('@')) {
      const m = fields.shift() as string
      if (m !== '@revoked' && m !== '@cert-authority') {
        throw new InputError(input, `line ${index + 1} has an unknown marker ${JSON.stringify(m)}`)
      }
      marker = m
    }
    const [patterns, keyType, b64] = fields
    const key = b64 ? Buffer.from(b64, 'base64') : Buffer.alloc(0)
    if (!patterns || !keyType || key.length === 0 || keyTypeOf(key) !== keyType) {
      throw new InputError(
        input,
        `line ${index + 1} is not a known_hosts line: ${JSON.stringify(line.slice(0, 60))}`,
        'Use the output of `ssh-keyscan -p PORT HOST` (one "host keytype base64key" per line)'
      )
    }
    entries.push({ marker, patterns, keyType, key })
  })
  return entries
}

function wildcardMatch(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${re}$`, 'i').test(name)
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, , salt64, hash64] = pattern.split('|')
  if (!salt64 || !hash64) return false
  const want = Buffer.from(hash64, 'base64')
  const got = createHmac('sha1', Buffer.from(salt64, 'base64')).update(name).digest()
  return want.length === got.length && timingSafeEqual(want, got)
}

/** The name known_hosts uses for a host: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatch(patterns, name)
  let matched = false
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (wildcardMatch(p.slice(1), name)) return false
    } else if (wildcardMatch(p, name)) {
      matched = true
    }
  }
  return matched
}

/** How a server's host key is checked. */
export interface HostKeyPolicy {
  /** Host key algorithms to offer, so the server shows a key type we can check; undefined = ssh2's defaults. */
  algorithms?: string[]
  /** Returns null when the key is accepted, else why it was refused. */
  check(rawKey: Buffer): string | null
}

const ALGORITHMS_FOR_KEY_TYPE: Record<string, string[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']
}

export function knownHostsPolicy(
  entries: KnownHostEntry[],
  host: string,
  port: number
): HostKeyPolicy {
  const name = knownHostsName(host, port)
  const mine = entries.filter(e => patternsMatch(e.patterns, name))
  const trusted = mine.filter(e => e.marker === '')
  const revoked = mine.filter(e => e.marker === '@revoked')
  const types = [...new Set(trusted.map(e => e.keyType))]
  return {
    algorithms:
      types.length > 0 ? types.flatMap(t => ALGORITHMS_FOR_KEY_TYPE[t] ?? [t]) : undefined,
    check(rawKey) {
      if (revoked.some(e => e.key.equals(rawKey)))
        return `host key ${fingerprintOf(rawKey)} is marked @revoked`
      if (trusted.length === 0) {
        return `no known-hosts line matches ${JSON.stringify(name)} (server key ${fingerprintOf(rawKey)})`
      }
      if (trusted.some(e => e.key.equals(rawKey))) return null
      return `host key mismatch: the server offered ${keyTypeOf(rawKey)} ${fingerprintOf(rawKey)}, which is not in known-hosts for ${name}`
    }
  }
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/

export function parseFingerprints(text: string, input = 'fingerprint'): string[] {
  const list = text
    .split(/[,\n\s]+/)
    .map(s => s.trim())
    .filter(Boolean)
    .map(s => s.replace(/=+$/, ''))
  for (const fp of list) {
    if (!FINGERPRINT.test(fp)) {
      throw new InputError(
        input,
        `${JSON.stringify(fp)} is not a SHA256 fingerprint`,
        'Give it as `ssh-keyscan HOST | ssh-keygen -lf -` prints it, e.g. SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU'
      )
    }
  }
  return list
}

export function fingerprintPolicy(fingerprints: string[]): HostKeyPolicy {
  return {
    check(rawKey) {
      const fp = fingerprintOf(rawKey)
      return fingerprints.includes(fp)
        ? null
        : `host key mismatch: the server offered ${keyTypeOf(rawKey)} ${fp}, expected ${fingerprints.join(' or ')}`
    }
  }
}

export const SKIP_POLICY: HostKeyPolicy = { check: () => null }
