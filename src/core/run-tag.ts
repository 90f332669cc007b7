/**
 * The tag every remote command of a deploy's main step carries in its
 * environment once the deploy has its lock token: `DEPLOYKIT_RUN=<token>`.
 * Each process a command starts on the server inherits it, so when the main
 * step is killed, its post step can find the work that still runs there (a
 * `docker compose up` goes on after its SSH channel closed) and wait for it
 * before it frees the lock. The post step tags nothing: it never finds itself.
 */
export const RUN_TAG_VAR = 'DEPLOYKIT_RUN'

/** What a run tag is: the run's lock token, hex, so it needs no quoting anywhere. */
export const RUN_TAG = /^[0-9a-f]{8,64}$/

let tag = ''

/** Tags every command sent from now on. */
export function tagRemoteWork(token: string): void {
  if (!RUN_TAG.test(token)) throw new Error('a run tag is 8 to 64 hex digits')
  tag = token
}

/** The shell text that puts the tag in a command's environment; empty before the run has one. */
export function runTagExport(): string {
  return tag ? `${RUN_TAG_VAR}=${tag}; export ${RUN_TAG_VAR}; ` : ''
}
