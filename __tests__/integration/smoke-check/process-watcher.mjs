// Watches this machine's process list and temporary directories while a
// probe runs: the test servers' sshd share it, and a container's processes
// are in it too. Reads what to look for as one JSON line on stdin (never in
// its own argv, where it would find itself), polls /proc/*/cmdline every few
// milliseconds and `ps` as fast as it answers, and prints what it saw as JSON
// when a second line arrives.
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { clearInterval, setImmediate, setInterval } from 'node:timers'

const POLL_MS = 5
const PROBE_DIR_PREFIX = 'deploykit-probe.'

const lines = createInterface({ input: process.stdin })
let config
const report = {
  procSamples: 0,
  psSamples: 0,
  /** Where a secret was seen: never the secret itself. */
  hits: [],
  /** argv[0] of every process seen whose argv named the probe or an HTTP client. */
  seen: [],
  /** Every probe directory seen in a temporary directory, with the modes of what it held. */
  probeDirs: []
}
const seen = new Set()
const dirs = new Map()

const hitKeys = new Set()

function check(text, where, pid) {
  config.secrets.forEach((secret, index) => {
    const key = `${where} ${pid} ${index}`
    if (!text.includes(secret) || hitKeys.has(key)) return
    hitKeys.add(key)
    report.hits.push({ where, pid, secret: index })
  })
}

function noteProcess(argv) {
  const first = argv[0] ?? ''
  const name = first.split('/').pop()
  const label = argv.includes('deploykit-probe')
    ? 'probe'
    : ['curl', 'wget'].includes(name)
      ? name
      : ''
  if (label && !seen.has(label)) {
    seen.add(label)
    report.seen.push(label)
  }
}

function pollProc() {
  report.procSamples++
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || pid === String(process.pid)) continue
    let raw
    try {
      raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      continue
    }
    if (!raw) continue
    const argv = raw.replace(/\0$/, '').split('\0')
    check(argv.join(' '), 'cmdline', pid)
    noteProcess(argv)
  }
  for (const tmp of config.tmpDirs) {
    let entries = []
    try {
      entries = readdirSync(tmp).filter(e => e.startsWith(PROBE_DIR_PREFIX))
    } catch {
      continue
    }
    for (const entry of entries) {
      const dir = `${tmp}/${entry}`
      try {
        const record = dirs.get(dir) ?? { dir, mode: 0, files: {} }
        record.mode = statSync(dir).mode & 0o777
        for (const name of readdirSync(dir)) {
          const path = `${dir}/${name}`
          const text = readFileSync(path, 'utf8')
          record.files[name] = {
            mode: statSync(path).mode & 0o777,
            holdsSecret: config.secrets.some(s => text.includes(s))
          }
        }
        if (!dirs.has(dir)) {
          dirs.set(dir, record)
          report.probeDirs.push(record)
        }
      } catch {
        // removed while we looked
      }
    }
  }
}

function pollPs() {
  execFile('ps', ['-e', '-ww', '-o', 'pid=,args='], { maxBuffer: 16 * 1024 * 1024 }, (err, out) => {
    if (!err) {
      report.psSamples++
      for (const line of out.split('\n')) {
        const m = /^\s*(\d+)\s(.*)$/.exec(line)
        if (m && m[1] !== String(process.pid)) check(m[2], 'ps', m[1])
      }
    }
    if (config.running) setImmediate(pollPs)
  })
}

lines.on('line', line => {
  if (!config) {
    config = { ...JSON.parse(line), running: true }
    const timer = setInterval(pollProc, POLL_MS)
    pollProc()
    pollPs()
    config.stop = () => clearInterval(timer)
    process.stdout.write('watching\n')
    return
  }
  config.running = false
  config.stop()
  pollProc()
  process.stdout.write(JSON.stringify(report) + '\n')
  process.exit(0)
})
