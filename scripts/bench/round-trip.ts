// The cost of one command on an already open ssh2 connection. Each exec
// opens a channel and waits on several small packets; with Nagle's algorithm
// on (ssh2's default socket) they meet the peer's delayed ACK.
import ssh2 from 'ssh2'
import { performance } from 'node:perf_hooks'
import { SshServer } from '../../testbed/sshd.js'

export function connect(
  server: SshServer,
  username: string,
  privateKey: string
): Promise<ssh2.Client> {
  const client = new ssh2.Client()
  return new Promise((resolve, reject) => {
    client
      .once('ready', () => resolve(client))
      .once('error', reject)
      .connect({ host: server.address, port: server.port, username, privateKey })
  })
}

export function exec(client: ssh2.Client, command: string): Promise<void> {
  return new Promise((resolve, reject) =>
    client.exec(command, (err, channel) => {
      if (err) return reject(err)
      channel.on('close', () => resolve())
      channel.resume()
      channel.stderr.resume()
      channel.end()
    })
  )
}

async function perCommand(
  server: SshServer,
  username: string,
  privateKey: string,
  count: number,
  noDelay: boolean
): Promise<number> {
  const client = await connect(server, username, privateKey)
  try {
    if (noDelay) client.setNoDelay(true)
    await exec(client, 'true')
    const started = performance.now()
    for (let i = 0; i < count; i++) await exec(client, 'true')
    return (performance.now() - started) / count
  } finally {
    client.end()
  }
}

export async function commandRoundTrip(
  server: SshServer,
  username: string,
  privateKey: string,
  count: number
): Promise<{ nagle: number; noDelay: number }> {
  return {
    nagle: await perCommand(server, username, privateKey, count, false),
    noDelay: await perCommand(server, username, privateKey, count, true)
  }
}
