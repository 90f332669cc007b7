export interface ReleaseCheck {
  name: string
  command: string[]
}
export declare const DEFAULT_CHECKS: ReleaseCheck[]
export declare class ReleaseError extends Error {}
export declare function parseVersion(version: string): [number, number, number] | undefined
export declare function compareVersions(a: string, b: string): number
export declare function latestReleaseTag(tags: string[]): string | undefined
export declare function versionMismatches(cwd: string, version: string): string[]
export declare function releaseProblems(cwd: string, version: string): string[]
export interface Released {
  tag: string
  major: string
  commit: string
  majorWas: string | undefined
  committed: boolean
  push: string[]
}
export declare function release(options: {
  version: string
  cwd?: string
  checks?: ReleaseCheck[]
  remote?: string
  log?: (message: string) => void
}): Released
