// Watches every process on this machine, those in containers included (they
// are in the host's /proc), for secret values in their argv
// (/proc/<pid>/cmdline, which every user can read) and their environment
// (/proc/<pid>/environ, which only root and the user the file belongs to can
// read). Started by proc-sampler.ts; plain JavaScript so it runs without the
// test's transform. The secrets arrive on standard input, never in this
// process's own argv or environment: a JSON line {"needles": {name: value},
// "intervalMs": n}. It prints `ready`, samples until its standard input
// closes, then prints one JSON line with what it saw.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'
import { createInterface } from 'node:readline'

const lines = createInterface({ input: process.stdin })
const config = await new Promise(resolve => lines.once('line', line => resolve(JSON.parse(line))))
const needles = Object.entries(config.needles)
const ownMountNamespace = readlinkSync('/proc/self/ns/mnt')

let polls = 0
let stopped = false
const started = Date.now()
/** pid -> the argv it had when last read, so an unchanged process's environ is not read again. */
const lastArgv = new Map()
/** Distinct processes seen, by command name (`pg_dump`, `curl`): what the sampler had the chance to catch. */
const processes = new Map()
const argvHits = new Map()
const environHits = new Map()

function read(path) {
  try {
    return readFileSync(path, 'latin1')
  } catch {
    return undefined // gone, or a kernel thread
  }
}

/** The text with every secret replaced by its name, around the first one. */
function shown(text) {
  let out = text.replace(/\0/g, ' ').trim()
  for (const [name, value] of needles) out = out.split(value).join(`[secret ${name}]`)
  const at = out.indexOf('[secret ')
  return out.length > 400 ? out.slice(Math.max(0, at - 200), at + 200) : out
}

function describe(pid) {
  const status = read(`/proc/${pid}/status`) ?? ''
  let environOwner = -1
  let inContainer = false
  try {
    environOwner = statSync(`/proc/${pid}/environ`).uid
    inContainer = readlinkSync(`/proc/${pid}/ns/mnt`) !== ownMountNamespace
  } catch {
    // gone meanwhile
  }
  return {
    pid: Number(pid),
    comm: (read(`/proc/${pid}/comm`) ?? '').trim(),
    uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1),
    environOwner,
    inContainer
  }
}

function poll() {
  polls++
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue
    const argv = read(`/proc/${pid}/cmdline`)
    if (!argv) continue
    if (lastArgv.get(pid) === argv) continue
    lastArgv.set(pid, argv)
    const comm = (read(`/proc/${pid}/comm`) ?? '').trim()
    const key = `${pid}:${comm}`
    if (!processes.has(key)) processes.set(key, comm)
    // Who may read the environment is taken before it is read: a process that ends in between
    // would otherwise be reported with no owner, as if anyone could read what it held.
    const info = describe(pid)
    const environ = info.environOwner === -1 ? '' : (read(`/proc/${pid}/environ`) ?? '')
    for (const [name, value] of needles) {
      if (argv.includes(value) && !argvHits.has(`${key}:${name}`))
        argvHits.set(`${key}:${name}`, { secret: name, ...info, argv: shown(argv) })
      if (environ.includes(value) && !environHits.has(`${key}:${name}`))
        environHits.set(`${key}:${name}`, { secret: name, ...info, argv: shown(argv) })
    }
  }
}

function loop() {
  if (stopped) return
  poll()
  setTimeout(loop, config.intervalMs)
}

lines.on('close', () => {
  stopped = true
  const byCommand = {}
  for (const comm of processes.values()) byCommand[comm] = (byCommand[comm] ?? 0) + 1
  process.stdout.write(
    JSON.stringify({
      polls,
      millis: Date.now() - started,
      processes: processes.size,
      byCommand,
      argvHits: [...argvHits.values()],
      environHits: [...environHits.values()]
    }) + '\n'
  )
})

process.stdout.write('ready\n')
loop()
