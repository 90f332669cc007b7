// Cuts a release: `npm run release -- 1.2.3`. Refuses a dirty tree, a version that is not
// X.Y.Z or not newer than the last vX.Y.Z tag, and a CHANGELOG.md without the version's
// section; runs the checks; sets the version in package.json and package-lock.json (one
// commit, when they did not carry it yet); tags vX.Y.Z (annotated) and moves vX to it.
// Nothing is pushed: the last lines say what to push. The release workflow
// (.github/workflows/release.yml) runs on the pushed tag and publishes the GitHub release.
//
// `npm run release -- --check 1.2.3` only checks that the tree carries the version (what
// the workflow runs on the tag).
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { changelogSection } from './release-notes.mjs'

/**
 * What a release runs before it tags. The unit tests need no root and run in CI with the
 * full suite (`npm test`, on every push to main); the tagged commit is one CI has passed.
 */
export const DEFAULT_CHECKS = [
  { name: 'lint', command: ['npm', 'run', 'lint'] },
  { name: 'check-dist', command: ['npm', 'run', 'check-dist'] }
]

export class ReleaseError extends Error {}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/

/** [major, minor, patch] of an X.Y.Z version, or undefined for anything else. */
export function parseVersion(version) {
  const m = SEMVER.exec(version)
  return m ? m.slice(1).map(Number) : undefined
}

/** Negative when a < b, 0 when equal, positive when a > b (both X.Y.Z). */
export function compareVersions(a, b) {
  const [x, y] = [parseVersion(a), parseVersion(b)]
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
}

/** The highest vX.Y.Z among `tags`, or undefined. */
export function latestReleaseTag(tags) {
  return tags
    .filter(t => t.startsWith('v') && parseVersion(t.slice(1)))
    .sort((a, b) => compareVersions(a.slice(1), b.slice(1)))
    .at(-1)
}

const PACKAGE_FILES = ['package.json', 'package-lock.json']

function readJson(cwd, file) {
  return JSON.parse(readFileSync(join(cwd, file), 'utf8'))
}

/** The files that do not carry `version`: package.json, package-lock.json (both of its fields). */
export function versionMismatches(cwd, version) {
  const pkg = readJson(cwd, 'package.json')
  const lock = readJson(cwd, 'package-lock.json')
  return [
    ...(pkg.version === version ? [] : [`package.json says ${pkg.version}`]),
    ...(lock.version === version && lock.packages?.['']?.version === version
      ? []
      : [`package-lock.json says ${lock.version}`])
  ]
}

function setVersion(cwd, version) {
  const pkg = readJson(cwd, 'package.json')
  pkg.version = version
  writeFileSync(join(cwd, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`)
  const lock = readJson(cwd, 'package-lock.json')
  lock.version = version
  if (lock.packages?.['']) lock.packages[''].version = version
  writeFileSync(join(cwd, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`)
}

/** Why the tree at `cwd` cannot be released as `version`, beyond the package files' versions. */
function changelogProblem(cwd, version) {
  let changelog
  try {
    changelog = readFileSync(join(cwd, 'CHANGELOG.md'), 'utf8')
  } catch {
    return 'there is no CHANGELOG.md'
  }
  return changelogSection(changelog, version)
    ? undefined
    : `CHANGELOG.md has no section for ${version}: add "## [${version}] - YYYY-MM-DD" with what changed`
}

/** Refusals for `--check`: the tree at `cwd` is not release `version`. */
export function releaseProblems(cwd, version) {
  if (!parseVersion(version)) return [`"${version}" is not a version X.Y.Z (e.g. 1.2.3)`]
  const changelog = changelogProblem(cwd, version)
  return [...(changelog ? [changelog] : []), ...versionMismatches(cwd, version)]
}

/**
 * Releases the repository at `cwd` as `version`. Returns the tags it made and moved and the
 * commands that publish them; throws ReleaseError, having committed and tagged nothing, when it
 * refuses.
 */
export function release({
  version,
  cwd = process.cwd(),
  checks = DEFAULT_CHECKS,
  remote = 'origin',
  log = message => console.log(message)
}) {
  const git = (...args) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe']
    }).trimEnd()
  const refuse = message => {
    throw new ReleaseError(message)
  }

  if (!parseVersion(version)) refuse(`"${version}" is not a version X.Y.Z (e.g. 1.2.3)`)
  const status = git('status', '--porcelain')
  if (status !== '') refuse(`the working tree has changes; commit or stash them first:\n${status}`)

  const remotes = git('remote').split('\n')
  if (remotes.includes(remote)) {
    // The remote's tags are the truth: someone else may have released since the last fetch.
    try {
      git('fetch', '--quiet', '--tags', '--force', remote)
    } catch (err) {
      refuse(`could not read ${remote}'s tags: ${String(err.stderr ?? err.message).trim()}`)
    }
  }
  const last = latestReleaseTag(git('tag', '--list', 'v*').split('\n'))
  if (last && compareVersions(version, last.slice(1)) <= 0)
    refuse(`${version} is not newer than the last release, ${last}`)

  const changelog = changelogProblem(cwd, version)
  if (changelog) refuse(changelog)

  for (const check of checks) {
    log(`release: ${check.name} (${check.command.join(' ')})`)
    try {
      execFileSync(check.command[0], check.command.slice(1), { cwd, stdio: 'inherit' })
    } catch {
      refuse(`${check.name} failed; nothing was tagged`)
    }
  }
  const changed = git('status', '--porcelain')
  if (changed !== '') refuse(`the checks changed files; nothing was tagged:\n${changed}`)

  const committed = versionMismatches(cwd, version).length > 0
  if (committed) {
    setVersion(cwd, version)
    git('add', '--', ...PACKAGE_FILES)
    git('commit', '--quiet', '--message', `Release ${version}`)
  }

  const tag = `v${version}`
  const major = `v${parseVersion(version)[0]}`
  const majorWas = git('tag', '--list', major) ? git('rev-parse', `${major}^{commit}`) : undefined
  git('tag', '--annotate', tag, '--message', `deploy-kit ${version}`)
  git(
    'tag',
    '--force',
    '--annotate',
    major,
    '--message',
    `deploy-kit ${version}`,
    `${tag}^{commit}`
  )
  const commit = git('rev-parse', `${tag}^{commit}`)

  const branch = git('rev-parse', '--abbrev-ref', 'HEAD')
  const push = [
    ...(committed ? [`git push ${remote} ${branch}`] : []),
    `git push ${remote} ${tag} && git push --force ${remote} ${major}`
  ]
  log(
    [
      `release: ${tag} tags ${commit.slice(0, 12)}${committed ? ` (the commit "Release ${version}")` : ''}`,
      `release: ${major} ${majorWas ? `moved from ${majorWas.slice(0, 12)}` : 'created'} to ${commit.slice(0, 12)}`,
      'release: publish it with',
      ...push.map(p => `  ${p}`)
    ].join('\n')
  )
  return { tag, major, commit, majorWas, committed, push }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const checkOnly = args[0] === '--check'
  const version = checkOnly ? args[1] : args[0]
  if (!version || args.length !== (checkOnly ? 2 : 1)) {
    console.error('usage: npm run release -- X.Y.Z | npm run release -- --check X.Y.Z')
    process.exit(2)
  }
  try {
    if (checkOnly) {
      const problems = releaseProblems(process.cwd(), version)
      if (problems.length) throw new ReleaseError(problems.join('\n'))
      console.log(`release: the tree carries ${version}`)
    } else release({ version })
  } catch (err) {
    if (!(err instanceof ReleaseError)) throw err
    console.error(`release: ${err.message}`)
    process.exit(1)
  }
}
