import { Worker } from 'node:worker_threads'

/**
 * Reads every process's argv on this machine (/proc/<pid>/cmdline) every few
 * milliseconds from a worker thread, so sampling goes on while the test
 * awaits. That is the server's process list as any of its users sees it
 * (`ps -ef`), containers' processes included: the host sees their pids.
 */
export interface ArgvSampler {
  /**
   * Resolves with the first argv (words joined by spaces) that contains the
   * watched `text` and that `accept` takes, once one is seen.
   */
  seen(text: string, accept?: (argv: string) => boolean, timeoutMs?: number): Promise<string>
  /** Stops sampling; the argv that held any of the watched strings, and how many sweeps there were. */
  stop(): Promise<SamplerReport>
}

export interface SamplerReport {
  sweeps: number
  /** For each watched string, every distinct argv it was seen in. */
  hits: Record<string, string[]>
}

// Plain JavaScript, run by the worker as it is (no transform there).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { readdirSync, readFileSync } = require('node:fs')
const stop = new Int32Array(workerData.stop)
const watched = workerData.watched
const hits = Object.fromEntries(watched.map(w => [w, new Set()]))
let sweeps = 0
while (Atomics.load(stop, 0) === 0) {
  for (const pid of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(pid)) continue
    let argv
    try {
      argv = readFileSync('/proc/' + pid + '/cmdline', 'utf8')
    } catch {
      continue
    }
    if (!argv) continue
    argv = argv.replace(/\\0$/, '').replace(/\\0/g, ' ')
    for (const w of watched) {
      if (argv.includes(w) && !hits[w].has(argv)) {
        hits[w].add(argv)
        parentPort.postMessage({ seen: w, argv })
      }
    }
  }
  sweeps++
  Atomics.wait(stop, 0, 0, workerData.intervalMs)
}
parentPort.postMessage({ done: true, sweeps, hits: Object.fromEntries(watched.map(w => [w, [...hits[w]]])) })
`

/** Starts sampling for `watched` strings (secrets that must never show, and markers that must). */
export function sampleArgv(watched: readonly string[], intervalMs = 2): ArgvSampler {
  const stop = new SharedArrayBuffer(4)
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { stop, watched: [...watched], intervalMs }
  })
  const seenSoFar: Array<{ text: string; argv: string }> = []
  const waiting: Array<{
    text: string
    accept: (argv: string) => boolean
    resolve: (argv: string) => void
    reject: (err: Error) => void
  }> = []
  let failure: Error | undefined
  const finished = new Promise<SamplerReport>((resolve, reject) => {
    worker.on('message', (m: { seen?: string; argv?: string; done?: boolean } & SamplerReport) => {
      if (m.done) {
        resolve({ sweeps: m.sweeps, hits: m.hits })
        return
      }
      if (m.seen === undefined || m.argv === undefined) return
      const hit = { text: m.seen, argv: m.argv }
      seenSoFar.push(hit)
      for (const w of waiting.filter(w => w.text === hit.text && w.accept(hit.argv)))
        w.resolve(hit.argv)
    })
    worker.on('error', err => {
      failure = err
      for (const w of waiting) w.reject(err)
      reject(err)
    })
  })
  finished.catch(() => undefined)
  return {
    seen(text, accept = () => true, timeoutMs = 60_000) {
      if (!watched.includes(text)) throw new Error(`${text} is not watched`)
      if (failure) return Promise.reject(failure)
      const known = seenSoFar.find(h => h.text === text && accept(h.argv))
      if (known) return Promise.resolve(known.argv)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no process argv held ${JSON.stringify(text)} within ${timeoutMs} ms`)
            ),
          timeoutMs
        )
        waiting.push({
          text,
          accept,
          resolve: argv => {
            clearTimeout(timer)
            resolve(argv)
          },
          reject: err => {
            clearTimeout(timer)
            reject(err)
          }
        })
      })
    },
    async stop() {
      Atomics.store(new Int32Array(stop), 0, 1)
      Atomics.notify(new Int32Array(stop), 0)
      const report = await finished
      await worker.terminate()
      return report
    }
  }
}
