/**
 * What deploy-kit accepts as a git ref: a sha, tag or branch name, never
 * something git would read as an option. Refs come from inputs and from the
 * release log on the server, which anyone with write access there can edit.
 */
const REF = /^[A-Za-z0-9._/@^~-]+$/

export function isGitRef(ref: string): boolean {
  return REF.test(ref) && !ref.startsWith('-')
}

const FULL_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/

/** A full SHA-1 or SHA-256 commit id, as `rev-parse` prints it. */
export function isFullSha(ref: string): boolean {
  return FULL_SHA.test(ref)
}
