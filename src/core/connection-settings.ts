import * as core from '@actions/core'
import { readFileSync } from 'node:fs'
import { InputError } from './errors.js'
import {
  fingerprintPolicy,
  HostKeyPolicy,
  knownHostsPolicy,
  parseFingerprints,
  parseKnownHosts,
  SKIP_POLICY
} from './host-keys.js'
import { HostAddress, parseHost, parseHosts, parsePort, parseUsername } from './hosts.js'
import { InputReader, readBoolean, readDuration, readInteger } from './inputs.js'
import { registerSecret } from './secrets.js'

export interface Credentials {
  privateKey?: string
  passphrase?: string
  password?: string
}

export interface Endpoint {
  address: HostAddress
  credentials: Credentials
  hostKey: HostKeyPolicy
}

export interface ConnectionSettings {
  targets: Endpoint[]
  proxy?: Endpoint
  /** True when the user opted out of host key checks by name. */
  insecureSkipHostKeyCheck: boolean
  connectTimeoutMs: number
  connectRetries: number
  /** 0 = no limit. */
  commandTimeoutMs: number
  maxParallel: number
}

/** Private keys pasted into secrets often carry CRLF or blank lines around them. */
export function normalizeKey(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim() + '\n'
}

const KEYSCAN_HINT = (host: HostAddress): string =>
  `Get the value on a machine you trust with \`ssh-keyscan -p ${host.port} ${host.host}\` ` +
  `and store it in a secret passed as known-hosts (or its \`| ssh-keygen -lf -\` SHA256 fingerprint as fingerprint). ` +
  `To connect without checking (not recommended) set insecure-skip-host-key-check: true`

function readCredentials(read: InputReader, prefix: string): Credentials {
  const keyInput = `${prefix}key`
  const pathInput = `${prefix}key-path`
  let privateKey = read(keyInput) || undefined
  const keyPath = read(pathInput)
  if (privateKey && keyPath) {
    throw new InputError(keyInput, `is set together with ${pathInput}`, 'Give only one of them')
  }
  if (keyPath) {
    try {
      privateKey = readFileSync(keyPath, 'utf8')
    } catch (err) {
      throw new InputError(
        pathInput,
        `cannot read ${JSON.stringify(keyPath)} (${(err as NodeJS.ErrnoException).code})`,
        'Check the path on the runner'
      )
    }
  }
  if (privateKey) {
    privateKey = normalizeKey(privateKey)
    if (!/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(privateKey)) {
      throw new InputError(
        keyPath ? pathInput : keyInput,
        'does not hold a private key (it should start with -----BEGIN … PRIVATE KEY-----)',
        'Paste the whole private key file, not the .pub file or a path'
      )
    }
  }
  return {
    privateKey,
    passphrase: read(`${prefix}passphrase`) || undefined,
    password: read(`${prefix}password`) || undefined
  }
}

function hostKeyPolicy(
  read: InputReader,
  prefix: string,
  address: HostAddress,
  skip: boolean
): HostKeyPolicy {
  const knownHostsText = read(`${prefix}known-hosts`)
  const fingerprintText = read(`${prefix}fingerprint`)
  if (knownHostsText) {
    return knownHostsPolicy(
      parseKnownHosts(knownHostsText, `${prefix}known-hosts`),
      address.host,
      address.port
    )
  }
  if (fingerprintText)
    return fingerprintPolicy(parseFingerprints(fingerprintText, `${prefix}fingerprint`))
  if (skip) {
    core.warning(
      `insecure-skip-host-key-check is true: the host key of ${address.label} is not checked, so anyone on the network path can pose as this server. ` +
        'Pass known-hosts or fingerprint instead.'
    )
    return SKIP_POLICY
  }
  throw new InputError(
    `${prefix}known-hosts`,
    `no host key to check ${address.label} against`,
    KEYSCAN_HINT(address)
  )
}

/**
 * Reads and checks every connection input. Secrets are registered first, so
 * no error below can print them.
 */
export function readConnectionSettings(read: InputReader): ConnectionSettings {
  for (const name of [
    'key',
    'passphrase',
    'password',
    'proxy-key',
    'proxy-passphrase',
    'proxy-password'
  ]) {
    registerSecret(read(name))
  }
  const skip = readBoolean(read, 'insecure-skip-host-key-check', false)
  const defaults = {
    port: read('port') ? parsePort(read('port'), 'port') : 22,
    username: parseUsername(read('username'), 'username')
  }
  const credentials = readCredentials(read, '')
  if (!credentials.privateKey && !credentials.password) {
    throw new InputError(
      'key',
      'no way to log in was given',
      'Set key (a private key, from a secret), key-path or password'
    )
  }
  const targets = parseHosts(read('host'), defaults).map(address => ({
    address,
    credentials,
    hostKey: hostKeyPolicy(read, '', address, skip)
  }))

  let proxy: Endpoint | undefined
  const proxyHost = read('proxy-host')
  if (proxyHost) {
    const address = parseHost(
      proxyHost,
      {
        port: read('proxy-port') ? parsePort(read('proxy-port'), 'proxy-port') : 22,
        username:
          parseUsername(read('proxy-username'), 'proxy-username') ||
          defaults.username ||
          targets[0].address.username
      },
      'proxy-host'
    )
    const own = readCredentials(read, 'proxy-')
    proxy = {
      address,
      credentials: own.privateKey || own.password ? own : credentials,
      hostKey: hostKeyPolicy(read, 'proxy-', address, skip)
    }
  }

  return {
    targets,
    proxy,
    insecureSkipHostKeyCheck: skip,
    connectTimeoutMs: readDuration(read, 'connect-timeout', 30),
    connectRetries: readInteger(read, 'connect-retries', 3, 0, 20),
    commandTimeoutMs: readDuration(read, 'command-timeout', 1800),
    maxParallel: readInteger(read, 'max-parallel', 10, 1, 100)
  }
}
