/**
 * Version parsing as metadata-action does it with the `semver` and
 * `@renovate/pep440` packages: what counts as a version, and the parts a
 * pattern can name.
 */

/** semver.org's grammar; `semver.valid` also takes a leading `v` or `=`. */
const SEMVER =
  /^[v=]?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/

export interface SemVer {
  raw: string
  version: string
  major: number
  minor: number
  patch: number
  prerelease: string
  build: string
}

export function parseSemver(text: string): SemVer | undefined {
  const m = SEMVER.exec(text.trim())
  if (!m) return undefined
  const [, major, minor, patch, pre, build] = m
  return {
    raw: text,
    version: `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`,
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    prerelease: pre ?? '',
    build: build ?? ''
  }
}

/** PEP 440's VERSION_PATTERN (its appendix), anchored, case-insensitive. */
const PEP440 =
  /^\s*v?(?:(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:(?:-(\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\d+)?))?(?:[-_.]?(dev)[-_.]?(\d+)?)?)(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i

export interface Pep440 {
  release: number[]
  /** The normalized form (`1.2.3b2`, `1.2.3.post1`, `1.0.dev4`), as `pep440.clean` gives it. */
  clean: string
  isPrerelease: boolean
  isPostrelease: boolean
  isDevrelease: boolean
}

const PRE_NAMES: Record<string, string> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc'
}

export function parsePep440(text: string): Pep440 | undefined {
  const m = PEP440.exec(text)
  if (!m) return undefined
  const [, epoch, release, preL, preN, postImplicit, postL, postN, devL, devN, local] = m
  const releaseParts = release.split('.').map(Number)
  let clean = epoch && Number(epoch) !== 0 ? `${Number(epoch)}!` : ''
  clean += releaseParts.join('.')
  if (preL) clean += `${PRE_NAMES[preL.toLowerCase()]}${Number(preN ?? 0)}`
  const isPost = postImplicit !== undefined || postL !== undefined
  if (isPost) clean += `.post${Number(postImplicit ?? postN ?? 0)}`
  if (devL) clean += `.dev${Number(devN ?? 0)}`
  if (local) clean += `+${local.toLowerCase().replace(/[-_]/g, '.')}`
  return {
    release: releaseParts,
    clean,
    isPrerelease: preL !== undefined || devL !== undefined,
    isPostrelease: isPost,
    isDevrelease: devL !== undefined
  }
}
