import { posix } from 'node:path'

/** Where deploy-kit keeps its state on a server: `<app-dir>/.deploy-kit/`. */
export function statePaths(appDir: string) {
  const dir = posix.join(appDir, '.deploy-kit')
  return {
    dir,
    log: posix.join(dir, 'releases.jsonl'),
    lock: posix.join(dir, 'lock'),
    lockOwner: posix.join(dir, 'lock', 'owner.json'),
    envSnapshot: (releaseId: string) => posix.join(dir, 'env', releaseId),
    releases: posix.join(appDir, 'releases'),
    current: posix.join(appDir, 'current')
  }
}
