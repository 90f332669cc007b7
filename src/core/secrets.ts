import * as core from '@actions/core'

/** What the runner masks of what deploy-kit registered: each value and each of its trimmed lines (AddMaskCommandExtension). */
const registered = new Set<string>()

function remember(value: string): void {
  registered.add(value)
  for (const line of value.split(/[\r\n]+/)) if (line.trim()) registered.add(line.trim())
}

/** The text with every secret deploy-kit registered replaced by ***, longer ones first, as the runner shows it. */
export function maskSecrets(text: string): string {
  let masked = text
  for (const value of [...registered].sort((a, b) => b.length - a.length))
    masked = masked.split(value).join('***')
  return masked
}

/**
 * Registers a secret with the runner before anything can print it. Each line
 * of a multi-line value is registered too, so a key printed line by line (or
 * a fragment quoted in an error) is still masked.
 */
export function registerSecret(value: string | undefined): void {
  if (!value) return
  core.setSecret(value)
  remember(value)
  for (const line of value.split(/\r?\n/)) {
    const trimmed = line.trim()
    if (trimmed.length >= 8 && trimmed !== value && !/^-----(BEGIN|END) /.test(trimmed))
      core.setSecret(trimmed)
  }
}

/**
 * The runner masks a secret wherever it occurs, however short: a secret `1`
 * hides every 1 in the log, and GitHub drops every job output that contains
 * it (a release id, a commit sha). Below this length that is near certain.
 */
export const SHORT_SECRET_LENGTH = 4

export function isShortSecret(value: string): boolean {
  const length = value.trim().length
  return length > 0 && length < SHORT_SECRET_LENGTH
}

/**
 * Warns about a short secret, naming where it came from (never the value).
 * `what` reads as the subject, e.g. "env: the value of DEBUG".
 */
export function warnShortSecret(what: string, fix: string): void {
  core.warning(
    `${what} is shorter than ${SHORT_SECRET_LENGTH} characters. Masked as a secret, it hides its every occurrence in the log, and GitHub drops any job output that contains it (release ids and commit shas too). ${fix}`
  )
}
