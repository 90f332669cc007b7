import * as core from '@actions/core'

/**
 * Turns a byte stream into whole log lines, each prefixed (e.g. with the host
 * name when several hosts run at once), so parallel output stays readable.
 */
export class LineLog {
  private partial = ''

  constructor(
    private readonly prefix: string,
    private readonly write: (line: string) => void = line => core.info(line)
  ) {}

  push(chunk: string): void {
    const text = this.partial + chunk
    const lines = text.split(/\r?\n/)
    this.partial = lines.pop() ?? ''
    for (const line of lines) this.write(this.prefix + line)
  }

  flush(): void {
    if (this.partial !== '') this.write(this.prefix + this.partial)
    this.partial = ''
  }
}

/** Runs `fn` inside a collapsible log group (only when it is the only thing logging). */
export async function group<T>(title: string, fn: () => Promise<T>, enabled = true): Promise<T> {
  return enabled ? core.group(title, fn) : fn()
}
