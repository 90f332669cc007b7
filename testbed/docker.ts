import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run, tail, waitFor } from './run.js'

const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 20_000

/** `docker info` only succeeds when the CLI reaches a daemon that answers. */
async function dockerAnswers(): Promise<boolean> {
  const { code } = await run('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeoutMs: 10_000
  })
  return code === 0
}

/**
 * Makes sure a Docker engine answers. A daemon that already runs (started by
 * hand, or by systemd) is used as it is and left alone; otherwise one is
 * started here and its pid returned, so that only that one is stopped later.
 */
export async function ensureDocker(): Promise<{ startedPid?: number }> {
  if (await dockerAnswers()) return {}

  const logPath = join(tmpdir(), `deploykit-dockerd-${Date.now()}.log`)
  const log = openSync(logPath, 'a')
  // Detached into its own session, so that a Ctrl-C aimed at jest does not
  // kill the engine before teardown has removed the containers it runs.
  const dockerd = spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] })
  closeSync(log)
  dockerd.unref()
  const pid = dockerd.pid
  // A failed spawn also emits 'error', which would otherwise crash the process.
  dockerd.on('error', () => {})
  if (pid === undefined) throw new Error('could not start dockerd: is it installed and on PATH?')

  try {
    await waitFor(dockerAnswers, START_TIMEOUT_MS, `dockerd (pid ${pid}, log ${logPath})`)
  } catch (err) {
    await stopDocker(pid)
    throw new Error(`${(err as Error).message}\n${tail(readLog(logPath))}`)
  }
  return { startedPid: pid }
}

/** Stops the dockerd with this pid, and nothing else. */
export async function stopDocker(pid: number): Promise<void> {
  // A pid can be reused once its process is gone; never signal a stranger.
  if (!isAlive(pid) || processName(pid) !== 'dockerd') return
  process.kill(pid, 'SIGTERM')
  try {
    // dockerd stops its containers and its containerd before exiting, which takes a few seconds.
    await waitFor(async () => !isAlive(pid), STOP_TIMEOUT_MS, `dockerd (pid ${pid}) to exit`)
  } catch {
    if (!isAlive(pid)) return
    process.kill(pid, 'SIGKILL')
    await waitFor(async () => !isAlive(pid), 5_000, `dockerd (pid ${pid}) to die after SIGKILL`)
  }
}

/** Alive means running: a zombie (exited, not yet reaped by its parent) counts as gone. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The state follows the parenthesised command name, which may itself contain spaces.
    const state = stat.slice(stat.lastIndexOf(')') + 2).charAt(0)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return ''
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}
