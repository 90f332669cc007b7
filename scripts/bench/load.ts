// A load loop for loopback URLs only: a few workers send GETs one after the
// other until stopped, or until the request or time bound is reached.
import { request } from 'node:http'

export interface LoadOptions {
  /** Requests in flight at once. */
  concurrency?: number
  maxRequests?: number
  maxMs?: number
  /** A request slower than this counts as failed. */
  timeoutMs?: number
}

export interface LoadResult {
  requests: number
  /** Errors, timeouts and non-2xx answers. */
  failed: number
  firstFailure: string
  /** Longest time without a successful answer, from the start to the stop. */
  longestGapMs: number
  /** Successful answers by body, e.g. `v2\n` → 1234. */
  bodies: Record<string, number>
  ms: number
}

export interface Load {
  stop(): Promise<LoadResult>
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//

/**
 * Each request uses its own connection (`Connection: close`), so a proxy
 * that closes idle keep-alive connections on reload is not counted as a failure,
 * and no client-side retry hides a real one.
 */
function get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { Connection: 'close' } }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', chunk => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

export function startLoad(url: string, opts: LoadOptions = {}): Load {
  if (!LOOPBACK.test(url)) throw new Error(`load is only sent to loopback addresses, not ${url}`)
  const concurrency = opts.concurrency ?? 4
  const maxRequests = opts.maxRequests ?? 50_000
  const maxMs = opts.maxMs ?? 180_000
  const timeoutMs = opts.timeoutMs ?? 10_000
  const started = Date.now()
  const result: LoadResult = {
    requests: 0,
    failed: 0,
    firstFailure: '',
    longestGapMs: 0,
    bodies: {},
    ms: 0
  }
  let lastOk = started
  let stopped = false
  const fail = (why: string) => {
    result.failed++
    result.firstFailure ||= why
  }
  const worker = async () => {
    while (!stopped && result.requests < maxRequests && Date.now() - started < maxMs) {
      result.requests++
      try {
        const { status, body } = await get(url, timeoutMs)
        if (status < 200 || status > 299) {
          fail(`HTTP ${status}`)
          continue
        }
        const now = Date.now()
        result.longestGapMs = Math.max(result.longestGapMs, now - lastOk)
        lastOk = now
        result.bodies[body] = (result.bodies[body] ?? 0) + 1
      } catch (err) {
        fail((err as Error).message)
      }
    }
  }
  const workers = Promise.all(Array.from({ length: concurrency }, worker))
  return {
    async stop() {
      stopped = true
      await workers
      const now = Date.now()
      result.longestGapMs = Math.max(result.longestGapMs, now - lastOk)
      result.ms = now - started
      return result
    }
  }
}
