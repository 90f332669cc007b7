/** A bad action input: names the input, what is wrong and how to fix it. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    problem: string,
    fix?: string
  ) {
    super(`Input '${input}': ${problem}${fix ? `. ${fix}` : ''}`)
    this.name = 'InputError'
  }
}

/** Something failed on (or on the way to) a server; names the host. */
export class RemoteError extends Error {
  constructor(
    readonly host: string,
    message: string
  ) {
    super(`${host}: ${message}`)
    this.name = 'RemoteError'
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
