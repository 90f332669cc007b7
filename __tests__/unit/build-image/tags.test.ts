import { describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import {
  defaultTags,
  GitContext,
  isValidTag,
  ociLabels,
  readGitContext,
  sanitizeTag
} from '../../../src/build-image/tags.js'

const FIXTURES = join(import.meta.dirname, 'fixtures')
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'

/** The environment the runner sets for a workflow triggered by this event. */
function contextFor(fixture: string, ref: string, sha = SHA): GitContext {
  return readGitContext({
    GITHUB_SHA: sha,
    GITHUB_REF: ref,
    GITHUB_REPOSITORY: 'example/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_PATH: join(FIXTURES, fixture)
  })
}

describe('readGitContext', () => {
  it('reads the commit, ref, repository and the default branch from the event payload', () => {
    expect(contextFor('push-default-branch.json', 'refs/heads/main')).toEqual({
      sha: SHA,
      ref: 'refs/heads/main',
      repository: 'example/app',
      serverUrl: 'https://github.com',
      defaultBranch: 'main',
      event: {
        name: '',
        baseRef: '',
        prBaseRef: '',
        prHeadSha: '',
        commitDate: undefined,
        repoName: 'app',
        description: '',
        htmlUrl: 'https://github.com/example/app',
        license: ''
      }
    })
  })

  it('does without a payload, and with GitHub Enterprise server URLs', () => {
    const ctx = readGitContext({
      GITHUB_SHA: SHA,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REPOSITORY: 'example/app',
      GITHUB_SERVER_URL: 'https://git.example.com/',
      GITHUB_EVENT_PATH: join(FIXTURES, 'no-such-event.json')
    })
    expect(ctx.defaultBranch).toBe('')
    expect(ctx.serverUrl).toBe('https://git.example.com')
    expect(readGitContext({})).toEqual({
      sha: '',
      ref: '',
      repository: '',
      serverUrl: 'https://github.com',
      defaultBranch: '',
      event: expect.objectContaining({ name: '', repoName: '', htmlUrl: '' })
    })
  })
})

describe('defaultTags', () => {
  it('tags a default-branch push with the branch, latest and sha-<7>', () => {
    expect(defaultTags(contextFor('push-default-branch.json', 'refs/heads/main'))).toEqual([
      'main',
      'latest',
      'sha-a1b2c3d'
    ])
  })

  it('tags another branch with its sanitised name and no latest', () => {
    expect(defaultTags(contextFor('push-branch.json', 'refs/heads/feature/Login#2'))).toEqual([
      'feature-Login-2',
      'sha-a1b2c3d'
    ])
  })

  it('tags a v1.2.3 tag push 1.2.3, 1.2 and 1, without latest', () => {
    expect(defaultTags(contextFor('push-tag.json', 'refs/tags/v1.2.3'))).toEqual([
      '1.2.3',
      '1.2',
      '1',
      'sha-a1b2c3d'
    ])
  })

  it('gives a pre-release only its full version, and 0.x no bare 0', () => {
    expect(defaultTags(contextFor('push-tag.json', 'refs/tags/v2.0.0-rc.1'))).toEqual([
      '2.0.0-rc.1',
      'sha-a1b2c3d'
    ])
    expect(defaultTags(contextFor('push-tag.json', 'refs/tags/0.4.2'))).toEqual([
      '0.4.2',
      '0.4',
      'sha-a1b2c3d'
    ])
  })

  it('tags a tag that is not a version with its sanitised name', () => {
    expect(defaultTags(contextFor('push-tag.json', 'refs/tags/release/2024 spring'))).toEqual([
      'release-2024-spring',
      'sha-a1b2c3d'
    ])
  })

  it('tags a pull request pr-<number>', () => {
    const sha = '0f1e2d3c4b5a69788796a5b4c3d2e1f009876543'
    expect(defaultTags(contextFor('pull-request.json', 'refs/pull/42/merge', sha))).toEqual([
      'pr-42',
      'sha-0f1e2d3'
    ])
  })

  it('has no tags without a GitHub context', () => {
    expect(defaultTags(readGitContext({}))).toEqual([])
  })
})

describe('tag syntax', () => {
  it.each([
    ['feature/login', 'feature-login'],
    ['-leading/dash', 'leading-dash'],
    ['.hidden', 'hidden'],
    ['ünïcode', 'n-code']
  ])('sanitises %s to %s', (name, tag) => {
    expect(sanitizeTag(name)).toBe(tag)
    expect(isValidTag(sanitizeTag(name))).toBe(true)
  })

  it('cuts a long branch name to 128 characters', () => {
    expect(sanitizeTag(`feature/${'a'.repeat(200)}`)).toBe(`feature-${'a'.repeat(120)}`)
  })

  it('accepts Docker tags and rejects the rest', () => {
    for (const ok of ['latest', 'v1.2.3', 'sha-abc1234', '1_0', 'A.b-C']) {
      expect(isValidTag(ok)).toBe(true)
    }
    for (const bad of ['', '-x', '.x', 'a/b', 'a:b', 'with space', 'a'.repeat(129)]) {
      expect(isValidTag(bad)).toBe(false)
    }
  })
})

describe('ociLabels', () => {
  it('labels source, revision, creation time and the most specific tag as version', () => {
    const ctx = contextFor('push-tag.json', 'refs/tags/v1.2.3')
    const created = new Date('2026-05-01T10:00:00Z')
    expect(ociLabels(ctx, defaultTags(ctx), 'backend', created)).toEqual({
      'org.opencontainers.image.title': 'backend',
      'org.opencontainers.image.created': '2026-05-01T10:00:00.000Z',
      'org.opencontainers.image.source': 'https://github.com/example/app',
      'org.opencontainers.image.url': 'https://github.com/example/app',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.version': '1.2.3'
    })
  })

  it('never calls latest a version, and leaves out what the context lacks', () => {
    const labels = ociLabels(readGitContext({}), ['latest'], 'web', new Date(0))
    expect(labels).toEqual({
      'org.opencontainers.image.title': 'web',
      'org.opencontainers.image.created': '1970-01-01T00:00:00.000Z'
    })
  })
})
