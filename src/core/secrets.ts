import * as core from '@actions/core'

/**
 * Registers a secret with the runner before anything can print it. Each line
 * of a multi-line value is registered too, so a key printed line by line (or
 * a fragment quoted in an error) is still masked.
 */
export function registerSecret(value: string | undefined): void {
  if (!value) return
  core.setSecret(value)
  for (const line of value.split(/\r?\n/)) {
    const trimmed = line.trim()
    if (trimmed.length >= 8 && trimmed !== value && !/^-----(BEGIN|END) /.test(trimmed))
      core.setSecret(trimmed)
  }
}
