import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKey, KeyPair } from './keys.js'
import { SshServer, startSshd } from './sshd.js'

/** Several real sshd servers on 127.0.0.2, 127.0.0.3, … that all trust the same user keys. */
export interface SshHosts {
  servers: SshServer[]
  /** A key without passphrase. */
  key: KeyPair
  /** A key protected by `passphrase`. */
  lockedKey: KeyPair
  passphrase: string
  /** `host` input naming the first `n` servers as root@address:port. */
  hostInput(n?: number): string
  /** known_hosts lines for every server. */
  knownHosts(): string
  stop(): Promise<void>
}

/** A `host` input naming the first `n` servers as root@address:port, one a line. */
export function hostInputFor(servers: SshServer[], n: number): string {
  return servers
    .slice(0, n)
    .map(s => `root@${s.address}:${s.port}`)
    .join('\n')
}

export async function startSshHosts(
  count: number,
  opts: { extraConfig?: string[]; launcher?: readonly string[] } = {}
): Promise<SshHosts> {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-keys-'))
  const key = generateKey(dir, 'id_plain')
  const passphrase = `pass-${Math.random().toString(36).slice(2)}-phrase`
  const lockedKey = generateKey(dir, 'id_locked', { passphrase })
  const servers: SshServer[] = []
  try {
    for (let i = 0; i < count; i++) {
      servers.push(
        await startSshd({
          address: `127.0.0.${i + 2}`,
          authorizedKeys: [key.publicKey, lockedKey.publicKey],
          extraConfig: opts.extraConfig,
          launcher: opts.launcher
        })
      )
    }
  } catch (err) {
    await Promise.all(servers.map(s => s.stop()))
    throw err
  }
  return {
    servers,
    key,
    lockedKey,
    passphrase,
    hostInput: (n = count) => hostInputFor(servers, n),
    knownHosts: () => servers.map(s => s.knownHostsLine).join('\n'),
    async stop() {
      await Promise.all(servers.map(s => s.stop()))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
