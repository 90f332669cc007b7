import * as core from '@actions/core'

/** Entry of an action that is not built yet: fails the step instead of pretending to succeed. */
export function notImplemented(action: string): void {
  core.setFailed(
    `deploy-kit ${action}: not implemented yet. This action does nothing in this version; pin a release that provides it.`
  )
}
