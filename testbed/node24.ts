import { execFileSync } from 'node:child_process'

let cached: string | undefined

/**
 * Path of a Node 24 binary (GitHub runs `node24` actions on it), from the npm
 * `node@24` package. This machine's own Node is 20.
 */
export function node24(): string {
  cached ??= execFileSync('npx', ['-y', '-p', 'node@24', 'node', '-p', 'process.execPath'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore']
  }).trim()
  return cached
}
