// A TCP relay that holds every chunk for a chosen time in each direction, so
// a host in a namespace answers as if it were across a network link. The
// kernel here has no `tc netem`, so the delay is added in userspace.
import { createConnection, createServer, Server, Socket } from 'node:net'
import { performance } from 'node:perf_hooks'

export interface LatencyRelay {
  /** Where the runner connects. */
  address: string
  port: number
  /** Milliseconds each direction is held; a round trip takes at least twice this. */
  readonly delayMs: number
  /** Takes effect for data sent from now on, in open connections too. */
  setDelay(ms: number): void
  /** Cuts every open connection (as a link going down would); new ones still get through. */
  cutConnections(): void
  /** What has crossed the link since the relay started, counted as it arrives at the relay. */
  traffic(): LinkTraffic
  stop(): Promise<void>
}

export interface LinkTraffic {
  /** TCP connections accepted. */
  connections: number
  /**
   * Round trips the conversation made: how many times the runner sent after
   * the host had answered (and each connection's first send). With one
   * request at a time this is the number of link delays a client waited out.
   */
  turns: number
}

/** Past this many bytes held in one direction, the sender is paused until they are written. */
const HIGH_WATER_BYTES = 1 << 20

interface Held {
  due: number
  /** `null` is the sender's end of stream, passed on like data so it keeps its place. */
  chunk: Buffer | null
}

/** Moves data from `from` to `to`, each chunk no earlier than `delay()` ms after it arrived. */
function forwardDelayed(from: Socket, to: Socket, delay: () => number): () => void {
  const held: Held[] = []
  let heldBytes = 0
  let timer: NodeJS.Timeout | undefined

  const deliver = (): void => {
    timer = undefined
    // performance.now, not Date.now: a whole-millisecond clock can release a chunk up to 1 ms early.
    const now = performance.now()
    while (held.length > 0 && held[0].due <= now) {
      const { chunk } = held.shift() as Held
      if (to.destroyed) continue
      if (chunk === null) {
        to.end()
      } else {
        heldBytes -= chunk.length
        to.write(chunk)
      }
    }
    resumeIfRoom()
    if (held.length > 0) timer = setTimeout(deliver, Math.max(0, held[0].due - now))
  }
  const resumeIfRoom = (): void => {
    if (from.isPaused() && heldBytes < HIGH_WATER_BYTES && to.writableLength < HIGH_WATER_BYTES) {
      from.resume()
    }
  }
  const hold = (chunk: Buffer | null): void => {
    const ms = delay()
    // Held chunks go first: a delay made 0 meanwhile must not let this one overtake them. The
    // queue is delivered from its head only, so a shorter delay never reorders held chunks either.
    if (ms <= 0 && held.length === 0) {
      if (to.destroyed) return
      if (chunk === null) to.end()
      else if (!to.write(chunk)) from.pause()
      return
    }
    held.push({ due: performance.now() + ms, chunk })
    if (chunk !== null) heldBytes += chunk.length
    if (heldBytes >= HIGH_WATER_BYTES) from.pause()
    timer ??= setTimeout(deliver, Math.max(0, held[0].due - performance.now()))
  }
  from.on('data', (chunk: Buffer) => hold(chunk))
  from.on('end', () => hold(null))
  to.on('drain', resumeIfRoom)
  return () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    held.length = 0
  }
}

export async function startLatencyRelay(opts: {
  listenAddress: string
  /** 0 picks a free port. */
  listenPort?: number
  target: { address: string; port: number }
  delayMs: number
}): Promise<LatencyRelay> {
  let delayMs = opts.delayMs
  const open = new Set<{ client: Socket; upstream: Socket; cancel: () => void }>()
  const traffic: LinkTraffic = { connections: 0, turns: 0 }

  // Half-open both ways: one side's end is itself held for the delay before it is passed on.
  const server: Server = createServer({ allowHalfOpen: true }, client => {
    const upstream = createConnection({
      host: opts.target.address,
      port: opts.target.port,
      allowHalfOpen: true
    })
    // Without this, Nagle's algorithm meeting the peer's delayed ACK holds small writes up to
    // 40 ms more, on top of the delay asked for.
    client.setNoDelay(true)
    upstream.setNoDelay(true)
    traffic.connections++
    let hostSpokeLast = true
    client.on('data', () => {
      if (hostSpokeLast) traffic.turns++
      hostSpokeLast = false
    })
    upstream.on('data', () => (hostSpokeLast = true))
    const cancels = [
      forwardDelayed(client, upstream, () => delayMs),
      forwardDelayed(upstream, client, () => delayMs)
    ]
    const entry = {
      client,
      upstream,
      cancel: () => cancels.forEach(cancel => cancel())
    }
    open.add(entry)
    const close = (): void => {
      entry.cancel()
      client.destroy()
      upstream.destroy()
      open.delete(entry)
    }
    // An error on either side (refused, reset) resets the other, as a broken link would.
    client.on('error', close)
    upstream.on('error', close)
    const closedBoth = (): void => {
      if (client.destroyed && upstream.destroyed) close()
    }
    client.on('close', closedBoth)
    upstream.on('close', closedBoth)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.listenPort ?? 0, opts.listenAddress, () => resolve())
  })
  const { port } = server.address() as { port: number }

  const cutConnections = (): void => {
    for (const { client, upstream, cancel } of [...open]) {
      cancel()
      client.destroy()
      upstream.destroy()
    }
    open.clear()
  }
  return {
    address: opts.listenAddress,
    port,
    get delayMs() {
      return delayMs
    },
    setDelay(ms: number) {
      delayMs = ms
    },
    cutConnections,
    traffic: () => ({ ...traffic }),
    stop() {
      cutConnections()
      return new Promise(resolve => server.close(() => resolve()))
    }
  }
}
