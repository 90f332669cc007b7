import { spawn } from 'node:child_process'
import { RemoteCommand, toShell } from '../../src/core/remote-command.js'
import { ExecOptions, ExecResult, Transport } from '../../src/core/ssh-session.js'

/**
 * The transport interface run by a local `sh`: real processes and real output
 * chunks as they come, for suites that test what happens to a command's output.
 */
export class LocalShell implements Transport {
  constructor(readonly label: string) {}

  exec(cmd: RemoteCommand, opts: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', toShell(cmd)], {
        stdio: [cmd.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
      })
      if (cmd.stdin !== undefined) {
        // A command that exits without reading its input is not an error.
        child.stdin?.on('error', () => undefined)
        child.stdin?.end(cmd.stdin)
      }
      let stdout = ''
      let stderr = ''
      child.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString('utf8')
        opts.onStdout?.(d.toString('utf8'))
      })
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString('utf8')
        opts.onStderr?.(d.toString('utf8'))
      })
      child.on('error', reject)
      child.on('close', (code, signal) =>
        resolve({ code, signal, stdout, stderr, timedOut: false })
      )
    })
  }

  async upload(): Promise<void> {
    throw new Error('LocalShell does not upload')
  }

  async close(): Promise<void> {}
}
