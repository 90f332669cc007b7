import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** A process the sampler found holding a secret. */
export interface ProcessHit {
  secret: string
  pid: number
  comm: string
  /** Real uid of the process, as the host numbers it (a container's user maps 1:1 here). */
  uid: number
  /** Owner of /proc/<pid>/environ: besides root, only this user can read the environment. */
  environOwner: number
  /** In another mount namespace than the sampler: a container's process. */
  inContainer: boolean
  /** Its argv, secrets replaced by their names. */
  argv: string
}

export interface SamplerReport {
  polls: number
  millis: number
  /** Distinct processes seen. */
  processes: number
  /** How many distinct processes of each command name were seen. */
  byCommand: Record<string, number>
  /** Secrets in argv, which every user of the machine can read (`ps`). */
  argvHits: ProcessHit[]
  /** Secrets in the environment, readable by root and `environOwner`. */
  environHits: ProcessHit[]
}

export interface ProcSampler {
  /** Ends the sampling and returns what it saw. */
  stop(): Promise<SamplerReport>
}

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'proc-sampler-script.mjs')

/**
 * Starts proc-sampler-script.mjs, polling /proc every `intervalMs` for the values
 * of `needles`, which it receives on standard input so that they are in no
 * argv or environment of its own.
 */
export async function startProcSampler(
  needles: Record<string, string>,
  intervalMs = 2
): Promise<ProcSampler> {
  const child = spawn(process.execPath, [SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const next = () =>
    new Promise<string>((resolve, reject) => {
      lines.once('line', resolve)
      child.once('exit', code => reject(new Error(`the sampler exited with ${code}`)))
    })
  const ready = next()
  child.stdin.write(JSON.stringify({ needles, intervalMs }) + '\n')
  if ((await ready) !== 'ready') throw new Error('the sampler did not start')
  return {
    async stop() {
      const report = next()
      child.stdin.end()
      return JSON.parse(await report) as SamplerReport
    }
  }
}
