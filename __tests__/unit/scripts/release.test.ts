// scripts/release.mjs in a throwaway clone with a bare "origin": the tags it makes and moves,
// the commit it makes when the package files lag, the push it prints (run here against the
// bare origin), and each refusal, after which nothing is committed or tagged.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  compareVersions,
  latestReleaseTag,
  release,
  ReleaseError,
  releaseProblems,
  type ReleaseCheck
} from '../../../scripts/release.mjs'

let root: string
let work: string
let ranFile: string

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()

/** Checks that record their names in `ranFile`, outside the clone; `fail` exits 1. */
const recording = (...names: string[]): ReleaseCheck[] =>
  names.map(name => ({
    name,
    command: [
      'node',
      '-e',
      `require('fs').appendFileSync(process.argv[1], process.argv[2] + '\\n'); process.exit(process.argv[2] === 'fail' ? 1 : 0)`,
      ranFile,
      name
    ]
  }))

const changelog = (...versions: string[]) =>
  [
    '# Changelog',
    '',
    '## [Unreleased]',
    '',
    ...versions.flatMap(v => [
      `## [${v}] - 2026-12-02`,
      '',
      '### Added',
      '',
      `- what ${v} brings`,
      ''
    ]),
    ''
  ].join('\n')

function writeFile(cwd: string, name: string, text: string) {
  writeFileSync(join(cwd, name), text)
}

function clone(name: string): string {
  const dir = join(root, name)
  git(root, 'clone', '--quiet', join(root, 'origin.git'), dir)
  for (const [k, v] of [
    ['user.name', 'Release Tester'],
    ['user.email', 'release@example.com'],
    ['commit.gpgsign', 'false'],
    ['tag.gpgsign', 'false']
  ])
    git(dir, 'config', k, v)
  return dir
}

function commitAll(cwd: string, message: string) {
  git(cwd, 'add', '--all')
  git(cwd, 'commit', '--quiet', '--message', message)
}

const quiet = () => {}
const tagsOf = (cwd: string) => git(cwd, 'tag', '--list').split('\n').filter(Boolean).sort()
const commitOf = (cwd: string, ref: string) => git(cwd, 'rev-parse', `${ref}^{commit}`)
const versionOf = (cwd: string, file: string) =>
  (JSON.parse(readFileSync(join(cwd, file), 'utf8')) as { version: string }).version
/** What origin's tags point to, peeled to commits. */
function remoteTags(): Record<string, string> {
  const out = git(root, 'ls-remote', '--tags', join(root, 'origin.git'))
  const tags: Record<string, string> = {}
  for (const line of out.split('\n')) {
    const [sha, ref] = line.split('\t')
    if (ref.endsWith('^{}')) tags[ref.slice('refs/tags/'.length, -3)] = sha
  }
  return tags
}

function refusal(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    if (err instanceof ReleaseError) return err.message
    throw err
  }
  throw new Error('release went ahead')
}

/** Runs the push commands the script printed, in the clone. */
function push(cwd: string, commands: string[]) {
  for (const command of commands)
    for (const part of command.split(' && ')) git(cwd, ...part.split(' ').slice(1))
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'release-script-'))
  ranFile = join(root, 'ran')
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', 'origin.git')
  work = clone('work')
  git(work, 'checkout', '--quiet', '-b', 'main')
  writeFile(work, 'package.json', `${JSON.stringify({ name: 'kit', version: '0.1.0' }, null, 2)}\n`)
  writeFile(
    work,
    'package-lock.json',
    `${JSON.stringify({ name: 'kit', version: '0.1.0', lockfileVersion: 3, packages: { '': { name: 'kit', version: '0.1.0' } } }, null, 2)}\n`
  )
  writeFile(work, 'CHANGELOG.md', changelog('1.0.0'))
  commitAll(work, 'First')
  git(work, 'push', '--quiet', 'origin', 'main')
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('versions', () => {
  it('are compared as numbers, and only X.Y.Z tags count as releases', () => {
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0)
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0)
    expect(latestReleaseTag(['v1', 'v1.9.0', 'v1.10.0', 'v2.0.0-rc.1', 'x2.0.0'])).toBe('v1.10.0')
    expect(latestReleaseTag(['v1', ''])).toBeUndefined()
  })
})

describe('the release script', () => {
  it.each(['1.0', 'v1.0.0', '1.0.0-rc.1', '01.0.0', '1.0.0 '])('refuses the version %j', v => {
    expect(refusal(() => release({ version: v, cwd: work, checks: [], log: quiet }))).toBe(
      `"${v}" is not a version X.Y.Z (e.g. 1.2.3)`
    )
  })

  it('refuses a dirty tree, naming what changed', () => {
    writeFile(work, 'CHANGELOG.md', changelog('1.0.0', '0.9.0'))
    try {
      expect(refusal(() => release({ version: '1.0.0', cwd: work, checks: [], log: quiet }))).toBe(
        'the working tree has changes; commit or stash them first:\n M CHANGELOG.md'
      )
    } finally {
      git(work, 'checkout', '--', 'CHANGELOG.md')
    }
    writeFile(work, 'notes.txt', 'scratch')
    try {
      expect(
        refusal(() => release({ version: '1.0.0', cwd: work, checks: [], log: quiet }))
      ).toMatch(/\?\? notes\.txt$/)
    } finally {
      rmSync(join(work, 'notes.txt'))
    }
  })

  it('refuses a version CHANGELOG.md has no section for', () => {
    expect(refusal(() => release({ version: '1.1.0', cwd: work, checks: [], log: quiet }))).toBe(
      'CHANGELOG.md has no section for 1.1.0: add "## [1.1.0] - YYYY-MM-DD" with what changed'
    )
  })

  it('stops at a failing check, with nothing committed or tagged', () => {
    rmSync(ranFile, { force: true })
    const head = commitOf(work, 'HEAD')
    const message = refusal(() =>
      release({
        version: '1.0.0',
        cwd: work,
        checks: recording('lint', 'fail', 'after'),
        log: quiet
      })
    )
    expect(message).toBe('fail failed; nothing was tagged')
    expect(readFileSync(ranFile, 'utf8')).toBe('lint\nfail\n')
    expect(commitOf(work, 'HEAD')).toBe(head)
    expect(tagsOf(work)).toEqual([])
    expect(git(work, 'status', '--porcelain')).toBe('')
  })

  let first: string

  it('releases 1.0.0: sets the package versions in one commit, tags it vX.Y.Z and v1', () => {
    rmSync(ranFile, { force: true })
    const before = commitOf(work, 'HEAD')
    const log: string[] = []
    const result = release({
      version: '1.0.0',
      cwd: work,
      checks: recording('lint', 'check-dist'),
      log: m => log.push(m)
    })
    expect(readFileSync(ranFile, 'utf8')).toBe('lint\ncheck-dist\n')

    first = commitOf(work, 'HEAD')
    expect(git(work, 'rev-parse', 'HEAD~1')).toBe(before)
    expect(git(work, 'log', '-1', '--format=%s')).toBe('Release 1.0.0')
    expect(git(work, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual([
      'package-lock.json',
      'package.json'
    ])
    expect(versionOf(work, 'package.json')).toBe('1.0.0')
    const lock = JSON.parse(readFileSync(join(work, 'package-lock.json'), 'utf8'))
    expect([lock.version, lock.packages[''].version, lock.lockfileVersion]).toEqual([
      '1.0.0',
      '1.0.0',
      3
    ])

    expect(tagsOf(work)).toEqual(['v1', 'v1.0.0'])
    expect(git(work, 'cat-file', '-t', 'v1.0.0')).toBe('tag')
    expect(git(work, 'cat-file', '-t', 'v1')).toBe('tag')
    expect([commitOf(work, 'v1.0.0'), commitOf(work, 'v1')]).toEqual([first, first])
    expect(result).toEqual({
      tag: 'v1.0.0',
      major: 'v1',
      commit: first,
      majorWas: undefined,
      committed: true,
      push: ['git push origin main', 'git push origin v1.0.0 && git push --force origin v1']
    })
    expect(log.join('\n')).toContain('v1 created')

    push(work, result.push)
    expect(remoteTags()).toEqual({ v1: first, 'v1.0.0': first })
    expect(git(work, 'ls-remote', 'origin', 'main').split('\t')[0]).toBe(first)
  })

  it('refuses the same version and an older one', () => {
    writeFile(work, 'CHANGELOG.md', changelog('1.0.0', '0.9.0'))
    commitAll(work, 'Older section')
    for (const v of ['1.0.0', '0.9.0'])
      expect(refusal(() => release({ version: v, cwd: work, checks: [], log: quiet }))).toBe(
        `${v} is not newer than the last release, v1.0.0`
      )
  })

  it('releases 1.1.0 from a tree that already carries it: no commit, v1 moves from 1.0.0', () => {
    writeFile(work, 'CHANGELOG.md', changelog('1.1.0', '1.0.0'))
    for (const file of ['package.json', 'package-lock.json'])
      writeFile(work, file, readFileSync(join(work, file), 'utf8').replaceAll('"1.0.0"', '"1.1.0"'))
    commitAll(work, 'Changelog and version for 1.1.0')
    const head = commitOf(work, 'HEAD')
    const result = release({ version: '1.1.0', cwd: work, checks: [], log: quiet })
    expect(commitOf(work, 'HEAD')).toBe(head)
    expect(result).toMatchObject({ tag: 'v1.1.0', commit: head, majorWas: first, committed: false })
    expect(result.push).toEqual(['git push origin v1.1.0 && git push --force origin v1'])
    expect(tagsOf(work)).toEqual(['v1', 'v1.0.0', 'v1.1.0'])

    // The pushed tag carries the commit with it; a plain push of the moved v1 would be refused.
    push(work, result.push)
    expect(remoteTags()).toEqual({ v1: head, 'v1.0.0': first, 'v1.1.0': head })
  })

  it("reads origin's tags first: a release someone else pushed is the last one", () => {
    const other = clone('other')
    writeFile(other, 'CHANGELOG.md', changelog('1.2.0', '1.1.0', '1.0.0'))
    commitAll(other, 'Changelog for 1.2.0')
    const theirs = release({ version: '1.2.0', cwd: other, checks: [], log: quiet })
    push(other, theirs.push)

    writeFile(work, 'CHANGELOG.md', changelog('1.2.0', '1.1.0', '1.0.0'))
    commitAll(work, 'Changelog for 1.2.0 here too')
    expect(refusal(() => release({ version: '1.2.0', cwd: work, checks: [], log: quiet }))).toBe(
      '1.2.0 is not newer than the last release, v1.2.0'
    )
    // The force-fetch brought origin's v1 along.
    expect(commitOf(work, 'v1')).toBe(theirs.commit)
  })
})

describe('a clone whose origin cannot be read', () => {
  it('is refused before anything is checked or tagged', () => {
    const lost = clone('lost')
    git(lost, 'remote', 'set-url', 'origin', join(root, 'gone.git'))
    rmSync(ranFile, { force: true })
    expect(
      refusal(() => release({ version: '9.0.0', cwd: lost, checks: recording('lint'), log: quiet }))
    ).toMatch(/^could not read origin's tags: .*gone\.git/)
    expect(() => readFileSync(ranFile)).toThrow()
  })
})

describe('release --check', () => {
  it('names what does not carry the version', () => {
    expect(releaseProblems(work, '1.3.0')).toEqual([
      'CHANGELOG.md has no section for 1.3.0: add "## [1.3.0] - YYYY-MM-DD" with what changed',
      'package.json says 1.1.0',
      'package-lock.json says 1.1.0'
    ])
    expect(releaseProblems(work, '1.1.0')).toEqual([])
    expect(releaseProblems(work, 'v1.1.0')).toEqual([
      '"v1.1.0" is not a version X.Y.Z (e.g. 1.2.3)'
    ])
  })

  it('is what the release workflow runs, and exits 1 on a problem', () => {
    const run = (version: string) => {
      try {
        return {
          code: 0,
          out: execFileSync(
            'node',
            [join(process.cwd(), 'scripts/release.mjs'), '--check', version],
            {
              cwd: work,
              encoding: 'utf8',
              stdio: ['ignore', 'pipe', 'pipe']
            }
          )
        }
      } catch (err) {
        const e = err as { status: number; stderr: string }
        return { code: e.status, out: e.stderr }
      }
    }
    expect(run('1.1.0')).toEqual({ code: 0, out: 'release: the tree carries 1.1.0\n' })
    expect(run('1.0.0')).toEqual({
      code: 1,
      out: 'release: package.json says 1.1.0\npackage-lock.json says 1.1.0\n'
    })
  })
})
