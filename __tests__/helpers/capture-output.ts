/**
 * Collects everything written to this process's stdout and stderr while `fn`
 * runs (the runner's log), still passing it through.
 */
export async function captureOutput<T>(
  fn: () => Promise<T>
): Promise<{ output: string; value?: T; error?: unknown }> {
  const chunks: string[] = []
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  const tap =
    (write: typeof out) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest)
    }
  process.stdout.write = tap(out) as typeof process.stdout.write
  process.stderr.write = tap(err) as typeof process.stderr.write
  try {
    const value = await fn()
    return { output: chunks.join(''), value }
  } catch (error) {
    return { output: chunks.join(''), error }
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
}

/** The log as the runner shows it: `::add-mask::` commands are consumed by the runner, never displayed. */
export function visibleLog(output: string): string {
  return output
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
}
