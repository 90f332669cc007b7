import { HostContext } from '../../src/core/fleet.js'
import type { ExecResult, Transport } from '../../src/core/ssh-session.js'

/**
 * A host whose commands get the given answers in turn (exit 0 and no output
 * where an answer leaves it out), for the replies of an engine that a test
 * cannot make happen on cue. `sent` holds each command's argv.
 */
export function answeringHost(...results: Partial<ExecResult>[]) {
  const sent: (readonly string[])[] = []
  const transport: Transport = {
    label: 'deploy@web1',
    exec: cmd => {
      sent.push(cmd.argv)
      const r = results.shift()
      if (!r) return Promise.reject(new Error('no more answers'))
      return Promise.resolve({
        code: 0,
        signal: null,
        stdout: '',
        stderr: '',
        timedOut: false,
        ...r
      })
    },
    upload: () => Promise.reject(new Error('nothing to upload')),
    close: () => Promise.resolve()
  }
  return { host: new HostContext(transport, ''), sent }
}
