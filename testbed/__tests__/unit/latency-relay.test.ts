// The relay in front of every fleet host, against a TCP server in this process:
// what goes in comes out whole and in order, even while the delay changes;
// a round trip is never faster than the delay both ways; one side's end is
// passed on without closing the other direction; the traffic count says how
// many round trips a conversation made.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { connect, createServer, Server, Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { LatencyRelay, startLatencyRelay } from '../../latency-relay.js'

let upstream: Server
let port: number
const accepted: Socket[] = []

/** Answers each connection by echoing it, and says `bye` after the client's end. */
beforeAll(async () => {
  upstream = createServer({ allowHalfOpen: true }, socket => {
    accepted.push(socket)
    socket.on('data', chunk => socket.write(chunk))
    socket.on('end', () => socket.end('bye'))
  })
  await new Promise<void>(resolve => upstream.listen(0, '127.0.0.1', resolve))
  port = (upstream.address() as { port: number }).port
})

afterAll(async () => {
  for (const socket of accepted) socket.destroy()
  await new Promise(resolve => upstream.close(resolve))
})

async function withRelay(delayMs: number, test: (relay: LatencyRelay) => Promise<void>) {
  const relay = await startLatencyRelay({
    listenAddress: '127.0.0.1',
    target: { address: '127.0.0.1', port },
    delayMs
  })
  try {
    await test(relay)
  } finally {
    await relay.stop()
  }
}

/** Sends `chunks`, ends, and collects everything until the relay's side closes. */
function exchange(relay: LatencyRelay, chunks: Buffer[], between?: (i: number) => void) {
  return new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ port: relay.port, host: relay.address, allowHalfOpen: true })
    const received: Buffer[] = []
    socket.on('data', chunk => received.push(chunk))
    socket.on('error', reject)
    socket.on('end', () => {
      socket.end()
      resolve(Buffer.concat(received))
    })
    socket.on('connect', async () => {
      for (const [i, chunk] of chunks.entries()) {
        between?.(i)
        socket.write(chunk)
        await new Promise(r => setImmediate(r))
      }
      socket.end()
    })
  })
}

describe('latency relay', () => {
  it('passes every byte in order, and the end after them, while the delay changes', async () => {
    await withRelay(5, async relay => {
      const chunks = Array.from({ length: 40 }, () => randomBytes(64 * 1024))
      // Shorter delays later must not let a chunk overtake the ones held before it.
      const delays = [5, 0, 30, 1, 0, 12]
      const out = await exchange(relay, chunks, i => relay.setDelay(delays[i % delays.length]))
      expect(out.equals(Buffer.concat([...chunks, Buffer.from('bye')]))).toBe(true)
    })
  })

  it('makes a round trip take at least the delay both ways', async () => {
    await withRelay(20, async relay => {
      const socket = connect(relay.port, relay.address)
      await new Promise(resolve => socket.once('connect', resolve))
      const times: number[] = []
      for (let i = 0; i < 5; i++) {
        const started = performance.now()
        socket.write('ping')
        await new Promise(resolve => socket.once('data', resolve))
        times.push(performance.now() - started)
      }
      socket.destroy()
      expect(Math.min(...times)).toBeGreaterThanOrEqual(40)
    })
  })

  it('cuts open connections when asked, and lets new ones through', async () => {
    await withRelay(0, async relay => {
      const socket = connect(relay.port, relay.address)
      await new Promise(resolve => socket.once('connect', resolve))
      const closed = new Promise(resolve => socket.once('close', resolve))
      socket.on('error', () => {})
      relay.cutConnections()
      await closed
      expect((await exchange(relay, [Buffer.from('again')])).toString()).toBe('againbye')
    })
  })

  it('counts a round trip each time the client sends after the server answered', async () => {
    await withRelay(20, async relay => {
      const socket = connect(relay.port, relay.address)
      await new Promise(resolve => socket.once('connect', resolve))
      for (let i = 0; i < 3; i++) {
        socket.write('ping')
        await new Promise(resolve => socket.once('data', resolve))
      }
      // Two sends with no answer between them (the echo of the first is held 40 ms) are one turn.
      const answered = new Promise(resolve => socket.once('data', resolve))
      socket.write('a')
      await new Promise(r => setTimeout(r, 5))
      socket.write('b')
      await answered
      socket.destroy()
      await exchange(relay, [Buffer.from('second connection')])
      expect(relay.traffic()).toEqual({ connections: 2, turns: 5 })
    })
  })
})
