import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'

// Text from a server (command output, container names and labels, records
// read back from the release log, probe bodies, tool errors quoting them) is
// data: the runner must act on none of it as a workflow command. It reads a
// line as one when, after leading white space, it starts with `::name::`, or
// when it holds `##[name]` anywhere (actions/runner ActionCommand.TryParseV2
// and TryParse), and it splits lines at LF, CR and CRLF. The runner's own way
// to show such text is `::stop-commands::TOKEN` … `::TOKEN::`: no command in
// between is acted on, deploy-kit's own add-mask, group or warning neither, so
// a fence is only ever open within one write.

/**
 * One per run, from a CSPRNG, and never sent anywhere but the runner: a
 * server cannot end a fence it cannot name. The runner masks it in the log.
 */
let fenceToken: string | undefined
function token(): string {
  fenceToken ??= randomBytes(16).toString('hex')
  return fenceToken
}

/** Where the runner ends a line. */
const LINE_BREAK = /\r\n|\r|\n/

/**
 * Printable ASCII without `::` or `##[` cannot be read as a command by either
 * syntax, however the runner compares strings: written as it is, so ordinary
 * output needs no fence around it.
 */
function inert(line: string): boolean {
  return /^[\x20-\x7e]*$/.test(line) && !line.includes('::') && !line.includes('##[')
}

function writeLines(lines: readonly string[]): void {
  if (lines.length === 0) return
  if (lines.every(inert)) {
    core.info(lines.join('\n'))
    return
  }
  const t = token()
  // Only the token can end the fence; a line holding it (it cannot, unless it leaked) loses it.
  const stray = new RegExp(t, 'gi')
  const body = lines.map(line => line.replace(stray, '***')).join('\n')
  core.info(`::stop-commands::${t}\n${body}\n::${t}::`)
}

/**
 * Writes text that holds anything not deploy-kit's own words (server output,
 * values read from a server, messages quoting them) to the log as data, each
 * line after `prefix`, in one write. Server text reaches the log only through
 * here and `remoteLineLog`.
 */
export function logRemote(text: string, prefix = ''): void {
  writeLines(text.split(LINE_BREAK).map(line => prefix + line))
}

/**
 * Turns a byte stream into whole lines, split where the runner splits them,
 * and hands each chunk's complete lines on at once.
 */
export class LineLog {
  private partial = ''

  constructor(private readonly write: (lines: string[]) => void) {}

  push(chunk: string): void {
    const text = this.partial + chunk
    // A CR at the very end may be the first half of a CRLF.
    const cut = text.endsWith('\r') ? text.length - 1 : text.length
    const lines = text.slice(0, cut).split(LINE_BREAK)
    this.partial = (lines.pop() ?? '') + text.slice(cut)
    if (lines.length > 0) this.write(lines)
  }

  flush(): void {
    const rest = this.partial.replace(/\r$/, '')
    this.partial = ''
    if (rest !== '') this.write([rest])
  }
}

/**
 * A server's output streamed into the log as data, each line after `prefix`
 * (the host's label when several hosts run at once).
 */
export function remoteLineLog(prefix = ''): LineLog {
  return new LineLog(lines => writeLines(lines.map(line => prefix + line)))
}

/** Runs `fn` inside a collapsible log group (only when it is the only thing logging). */
export async function group<T>(title: string, fn: () => Promise<T>, enabled = true): Promise<T> {
  return enabled ? core.group(title, fn) : fn()
}
