// docker/metadata-action's own cases (its __tests__/meta.test.ts and the
// README's tables), run through deploy-kit's rules: the same event context
// and inputs must give the same version, tags, `latest` and labels. The
// contexts are metadata-action's fixtures (event_push_master, event_tag_v1.1.1,
// event_pull_request, event_schedule), with "now" fixed at its mocked
// 2020-01-10T00:30:00Z and its repository fixture (octocat/Hello-World).
import { describe, expect, it } from '@jest/globals'
import { metaContext, metadataActionLabels, planTags } from '../../../src/build-image/metadata.js'
import {
  csvFields,
  evaluateRules,
  isRuleSyntax,
  parseFlavor,
  parseTagRule,
  parseTagRules
} from '../../../src/build-image/metadata-rules.js'
import type { GitContext } from '../../../src/build-image/tags.js'
import { dateHelper, formatDate, renderTemplate } from '../../../src/build-image/templates.js'
import { parsePep440, parseSemver } from '../../../src/build-image/versions.js'

const NOW = new Date('2020-01-10T00:30:00.000Z')
const REPO = {
  repoName: 'Hello-World',
  description: 'This your first repo!',
  htmlUrl: 'https://github.com/octocat/Hello-World',
  license: 'MIT'
}

function context(
  name: string,
  ref: string,
  sha: string,
  defaultBranch: string,
  extra: { baseRef?: string; prBaseRef?: string } = {}
): GitContext {
  return {
    sha,
    ref,
    repository: 'docker/test-docker-action',
    serverUrl: 'https://github.com',
    defaultBranch,
    event: {
      name,
      baseRef: extra.baseRef ?? '',
      prBaseRef: extra.prBaseRef ?? '',
      prHeadSha: '',
      ...REPO
    }
  }
}

const PUSH_MASTER = context(
  'push',
  'refs/heads/master',
  '266574110acf203503badf966df2ea24b5d732d7',
  'master'
)
const TAG_V111 = context(
  'push',
  'refs/tags/v1.1.1',
  '860c1904a1ce19322e91ac35af1ab07466440c37',
  'master',
  { baseRef: 'refs/heads/master' }
)
const PULL_REQUEST = context(
  'pull_request',
  'refs/pull/15/merge',
  'a9c8c5828b91be19d9728548b24759e352367ef1',
  'master',
  { prBaseRef: 'master' }
)
// The schedule payload carries no repository, so no default branch.
const SCHEDULE = context(
  'schedule',
  'refs/heads/master',
  '860c1904a1ce19322e91ac35af1ab07466440c37',
  ''
)

interface Case {
  name: string
  ctx: GitContext
  tags?: string[]
  flavor?: string[]
  version: { main?: string; partial: string[]; latest: boolean }
  /** metadata-action's tags for its image `user/app` (the image prefix left off). */
  expected: string[]
}

const CASES: Case[] = [
  {
    name: 'push03: push to master, default rules',
    ctx: PUSH_MASTER,
    version: { main: 'master', partial: [], latest: false },
    expected: ['master']
  },
  {
    name: 'push08: edge and sha',
    ctx: PUSH_MASTER,
    tags: ['type=edge', 'type=sha'],
    version: { main: 'edge', partial: ['sha-2665741'], latest: false },
    expected: ['edge', 'sha-2665741']
  },
  {
    name: 'push17 (without commit_date): raw values with global expressions',
    ctx: PUSH_MASTER,
    tags: [
      'type=raw,value=mytag-{{branch}}',
      "type=raw,value=mytag-{{date 'YYYYMMDD'}}",
      "type=raw,value=mytag-{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
      'type=raw,value=mytag-tag-{{tag}}',
      'type=raw,value=mytag-baseref-{{base_ref}}',
      'type=raw,value=mytag-defbranch,enable={{is_default_branch}}'
    ],
    version: {
      main: 'mytag-master',
      partial: [
        'mytag-20200110',
        'mytag-20200110-093000',
        'mytag-tag-',
        'mytag-baseref-',
        'mytag-defbranch'
      ],
      latest: false
    },
    expected: [
      'mytag-master',
      'mytag-20200110',
      'mytag-20200110-093000',
      'mytag-tag-',
      'mytag-baseref-',
      'mytag-defbranch'
    ]
  },
  {
    name: 'README Basic: push to master',
    ctx: PUSH_MASTER,
    tags: [
      'type=schedule',
      'type=ref,event=branch',
      'type=ref,event=pr',
      'type=semver,pattern={{version}}',
      'type=semver,pattern={{major}}.{{minor}}',
      'type=semver,pattern={{major}}',
      'type=sha'
    ],
    version: { main: 'master', partial: ['sha-2665741'], latest: false },
    expected: ['master', 'sha-2665741']
  },
  {
    name: 'tag11: v1.1.1 with three semver patterns, latest=auto',
    ctx: TAG_V111,
    tags: [
      'type=semver,pattern={{version}}',
      'type=semver,pattern={{major}}.{{minor}}',
      'type=semver,pattern={{major}}'
    ],
    version: { main: '1.1.1', partial: ['1.1', '1'], latest: true },
    expected: ['1.1.1', '1.1', '1', 'latest']
  },
  {
    name: 'tag06: match with a quoted pattern and group',
    ctx: TAG_V111,
    tags: ['type=match,"pattern=^v(\\d.\\d.\\d)$",group=1'],
    version: { main: '1.1.1', partial: [], latest: true },
    expected: ['1.1.1', 'latest']
  },
  {
    name: 'tag20: raw with {{tag}}, {{sha}}, {{base_ref}}; is_default_branch is false on a tag',
    ctx: TAG_V111,
    tags: [
      'type=raw,{{tag}}-{{sha}}-foo',
      'type=raw,{{base_ref}}-foo',
      'type=raw,defbranch-foo,enable={{is_default_branch}}'
    ],
    version: { main: 'v1.1.1-860c190-foo', partial: ['master-foo'], latest: false },
    expected: ['v1.1.1-860c190-foo', 'master-foo']
  },
  {
    name: 'tag21: flavor suffix with onlatest',
    ctx: TAG_V111,
    tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}.{{patch}}'],
    flavor: ['suffix=-dev,onlatest=true'],
    version: { main: '1.1.1-dev', partial: [], latest: true },
    expected: ['1.1.1-dev', 'latest-dev']
  },
  {
    name: 'tag22: flavor prefix and suffix, both on latest',
    ctx: TAG_V111,
    tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}.{{patch}}'],
    flavor: ['prefix=foo-,onlatest=true', 'suffix=-dev,onlatest=true'],
    version: { main: 'foo-1.1.1-dev', partial: [], latest: true },
    expected: ['foo-1.1.1-dev', 'foo-latest-dev']
  },
  {
    name: 'latest07: latest=false on a git tag',
    ctx: TAG_V111,
    tags: ['type=ref,event=tag'],
    flavor: ['latest=false'],
    version: { main: 'v1.1.1', partial: [], latest: false },
    expected: ['v1.1.1']
  },
  {
    name: 'README Semver: a v1.2.3 tag',
    ctx: { ...TAG_V111, ref: 'refs/tags/v1.2.3' },
    tags: [
      'type=ref,event=branch',
      'type=ref,event=pr',
      'type=semver,pattern={{version}}',
      'type=semver,pattern={{major}}.{{minor}}'
    ],
    version: { main: '1.2.3', partial: ['1.2'], latest: true },
    expected: ['1.2.3', '1.2', 'latest']
  },
  {
    name: 'README Semver: a pre-release tag gets its version only, and no latest',
    ctx: { ...TAG_V111, ref: 'refs/tags/v2.0.8-beta.67' },
    tags: [
      'type=ref,event=branch',
      'type=ref,event=pr',
      'type=semver,pattern={{version}}',
      'type=semver,pattern={{major}}.{{minor}}'
    ],
    version: { main: '2.0.8-beta.67', partial: [], latest: false },
    expected: ['2.0.8-beta.67']
  },
  {
    name: 'README Basic: a pre-release tag through type=ref,event=tag is latest',
    ctx: { ...TAG_V111, ref: 'refs/tags/v2.0.8-beta.67' },
    version: { main: 'v2.0.8-beta.67', partial: [], latest: true },
    expected: ['v2.0.8-beta.67', 'latest']
  },
  {
    name: 'pr02: a pull request, default rules',
    ctx: PULL_REQUEST,
    version: { main: 'pr-15', partial: [], latest: false },
    expected: ['pr-15']
  },
  {
    name: 'pr04: sha before pr by priority',
    ctx: PULL_REQUEST,
    tags: ['type=sha,priority=2000', 'type=ref,event=pr'],
    version: { main: 'sha-a9c8c58', partial: ['pr-15'], latest: false },
    expected: ['sha-a9c8c58', 'pr-15']
  },
  {
    name: "pr05: the pr rule's own prefix wins over the flavor's; the suffix applies",
    ctx: PULL_REQUEST,
    tags: ['type=ref,event=pr'],
    flavor: ['prefix=glo-', 'suffix=-bal'],
    version: { main: 'pr-15-bal', partial: [], latest: false },
    expected: ['pr-15-bal']
  },
  {
    name: 'pr06: an empty prefix attribute',
    ctx: PULL_REQUEST,
    tags: ['type=ref,event=pr,prefix='],
    flavor: ['prefix=glo-', 'suffix=-bal'],
    version: { main: '15-bal', partial: [], latest: false },
    expected: ['15-bal']
  },
  {
    name: "pr11: {{base_ref}} is the pull request's base",
    ctx: PULL_REQUEST,
    tags: [
      'type=raw,value=mytag-{{base_ref}}',
      'type=raw,mytag-defbranch,enable={{is_default_branch}}'
    ],
    version: { main: 'mytag-master', partial: [], latest: false },
    expected: ['mytag-master']
  },
  {
    name: 'schedule03: a dated nightly tag',
    ctx: SCHEDULE,
    tags: ["type=schedule,pattern={{date 'YYYYMMDD-HHmmss'}}"],
    version: { main: '20200110-003000', partial: [], latest: false },
    expected: ['20200110-003000']
  },
  {
    name: 'schedule05: nightly and sha',
    ctx: SCHEDULE,
    tags: ['type=schedule', 'type=sha'],
    version: { main: 'nightly', partial: ['sha-860c190'], latest: false },
    expected: ['nightly', 'sha-860c190']
  },
  {
    name: 'a schedule runs on the default branch: is_default_branch is true',
    ctx: SCHEDULE,
    tags: ['type=raw,value=latest-build,enable={{is_default_branch}}', 'type=schedule'],
    version: { main: 'nightly', partial: ['latest-build'], latest: false },
    expected: ['nightly', 'latest-build']
  }
]

describe("metadata-action's documented results", () => {
  it.each(CASES)('$name', ({ ctx, tags = [], flavor = [], version, expected }) => {
    const warnings: string[] = []
    const flav = parseFlavor(flavor)
    const rules = parseTagRules(tags)
    expect(evaluateRules(rules, flav, metaCtx(ctx), m => warnings.push(m))).toEqual(version)
    const plan = planTags(
      {
        tags, // latest=auto is the default flavor; giving it selects the rules for the default-rule cases.
        flavor: flavor.length ? flavor : ['latest=auto'],
        defaultTags: true
      },
      ctx,
      NOW,
      m => warnings.push(m)
    )
    expect(plan).toEqual({ mode: 'rules', tags: expected, version: version.main })
  })

  it("labels the image as metadata-action does (push03's labels)", () => {
    expect(
      Object.entries(metadataActionLabels(PUSH_MASTER, 'master', NOW)).map(([k, v]) => `${k}=${v}`)
    ).toEqual([
      'org.opencontainers.image.created=2020-01-10T00:30:00.000Z',
      'org.opencontainers.image.description=This your first repo!',
      'org.opencontainers.image.licenses=MIT',
      'org.opencontainers.image.revision=266574110acf203503badf966df2ea24b5d732d7',
      'org.opencontainers.image.source=https://github.com/octocat/Hello-World',
      'org.opencontainers.image.title=Hello-World',
      'org.opencontainers.image.url=https://github.com/octocat/Hello-World',
      'org.opencontainers.image.version=master'
    ])
  })
})

function metaCtx(ctx: GitContext) {
  return metaContext(ctx, NOW, {})
}

describe('plain tags keep working', () => {
  it('adds literal tags to the default ones when no line is a rule', () => {
    expect(
      planTags(
        { tags: ['v1, stable'], flavor: [], defaultTags: true },
        PUSH_MASTER,
        NOW,
        () => undefined
      )
    ).toEqual({
      mode: 'plain',
      tags: ['master', 'latest', 'sha-2665741', 'v1', 'stable'],
      version: 'master'
    })
    expect(isRuleSyntax(['main', 'v1,v2'])).toBe(false)
    expect(isRuleSyntax(['main', 'type=sha'])).toBe(true)
  })
})

describe('the rule grammar', () => {
  it('reads CSV fields as csv-parse does, quotes grouping commas', () => {
    expect(csvFields('type=match,"pattern=a,b",group=1')).toEqual([
      'type=match',
      'pattern=a,b',
      'group=1'
    ])
    expect(() => csvFields('type=raw,"value=x')).toThrow(/unclosed quote/)
  })

  it.each([
    ['type=nope', /unknown tag type "nope"/],
    ['type=semver', /has no pattern attribute/],
    ['type=ref', /has no event attribute/],
    ['type=ref,event=commit', /event must be branch, tag or pr/],
    ['type=raw', /has no value attribute/],
    ['type=sha,format=medium', /format must be short or long/],
    ['type=match,pattern=x,group=one', /invalid match group/],
    ['type=raw,value=x,priority=high', /priority must be a number/]
  ])('refuses %s', (line, message) => {
    expect(() => parseTagRule(line)).toThrow(message)
  })

  it.each([
    ['latest=sometimes', /latest must be auto, true or false/],
    ['prefix', /is not key=value/],
    ['colour=blue', /unknown flavor "colour"/],
    ['prefix=x,onlatest=yes', /onlatest must be true or false/]
  ])('refuses the flavor %s', (line, message) => {
    expect(() => parseFlavor([line])).toThrow(message)
  })

  it('refuses an enable that is not true or false after expansion', () => {
    expect(() =>
      evaluateRules(
        parseTagRules(['type=raw,value=x,enable=maybe']),
        parseFlavor([]),
        metaCtx(PUSH_MASTER)
      )
    ).toThrow(/enable must be true or false/)
  })

  it('warns, as metadata-action does, when a tag is not a version, and skips the rule', () => {
    const warnings: string[] = []
    const version = evaluateRules(
      parseTagRules(['type=semver,pattern={{version}}', 'type=ref,event=tag']),
      parseFlavor([]),
      metaCtx({ ...TAG_V111, ref: 'refs/tags/release1' }),
      m => warnings.push(m)
    )
    expect(version).toEqual({ main: 'release1', partial: [], latest: true })
    expect(warnings).toEqual(['release1 is not a valid semver. More info: https://semver.org/'])
  })
})

describe("metadata-action's README tables for semver, pep440 and dates", () => {
  it.each([
    ['v1.2.3', '{{raw}}', 'v1.2.3'],
    ['v1.2.3', '{{version}}', '1.2.3'],
    ['v1.2.3', '{{major}}.{{minor}}', '1.2'],
    ['v1.2.3', 'v{{major}}', 'v1'],
    ['v1.2.3', '{{minor}}', '2'],
    ['v1.2.3', '{{patch}}', '3'],
    ['v2.0.8-beta.67', '{{raw}}', 'v2.0.8-beta.67'],
    ['v2.0.8-beta.67', '{{version}}', '2.0.8-beta.67'],
    ['v2.0.8-beta.67', '{{major}}', '2.0.8-beta.67'],
    ['v2.0.8-beta.67', '{{major}}.{{minor}}', '2.0.8-beta.67']
  ])('semver %s with %s gives %s', (tag, pattern, expected) => {
    const version = evaluateRules(
      parseTagRules([`type=semver,pattern=${pattern}`]),
      parseFlavor([]),
      metaCtx({ ...TAG_V111, ref: `refs/tags/${tag}` })
    )
    expect(version.main).toBe(expected)
  })

  it('semver with match: p1/v1.2.3 and v(\\d.\\d.\\d)$ gives 1.2.3', () => {
    const version = evaluateRules(
      parseTagRules(['type=semver,pattern={{version}},match=v(\\d.\\d.\\d)$']),
      parseFlavor([]),
      metaCtx({ ...TAG_V111, ref: 'refs/tags/p1/v1.2.3' })
    )
    expect(version.main).toBe('1.2.3')
  })

  it.each([
    ['1.2.3', '{{raw}}', '1.2.3'],
    ['1.2.3', '{{version}}', '1.2.3'],
    ['v1.2.3', '{{version}}', '1.2.3'],
    ['1.2.3', '{{major}}.{{minor}}', '1.2'],
    ['1.2.3', 'v{{major}}', 'v1'],
    ['v1.2.3rc2', '{{raw}}', 'v1.2.3rc2'],
    ['1.2.3rc2', '{{version}}', '1.2.3rc2'],
    ['1.2.3rc2', '{{major}}.{{minor}}', '1.2.3rc2'],
    ['1.2.3post1', '{{major}}.{{minor}}', '1.2.3.post1'],
    ['1.2.3beta2', '{{major}}.{{minor}}', '1.2.3b2'],
    ['1.0dev4', '{{major}}.{{minor}}', '1.0.dev4']
  ])('pep440 %s with %s gives %s', (tag, pattern, expected) => {
    const version = evaluateRules(
      parseTagRules([`type=pep440,pattern=${pattern}`]),
      parseFlavor([]),
      metaCtx({ ...TAG_V111, ref: `refs/tags/${tag}` })
    )
    expect(version.main).toBe(expected)
  })

  it.each([
    ['v1.2.3', '\\d.\\d.\\d', '0', '1.2.3'],
    ['v2.0.8-beta.67', 'v(.*)', '1', '2.0.8-beta.67'],
    ['v2.0.8-beta.67', 'v(\\d.\\d)', '1', '2.0'],
    ['20200110-RC2', '\\d+', '0', '20200110'],
    ['p1/v1.2.3', 'p1/v(\\d.\\d.\\d)', '1', '1.2.3']
  ])('match %s with %s group %s gives %s', (tag, pattern, group, expected) => {
    const version = evaluateRules(
      parseTagRules([`type=match,pattern=${pattern},group=${group}`]),
      parseFlavor([]),
      metaCtx({ ...TAG_V111, ref: `refs/tags/${tag}` })
    )
    expect(version.main).toBe(expected)
  })

  it.each([
    ['nightly', 'nightly'],
    ["{{date 'YYYYMMDD'}}", '20200110'],
    ["{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}", '20200110-093000']
  ])('schedule pattern %s gives %s', (pattern, expected) => {
    const version = evaluateRules(
      parseTagRules([`type=schedule,pattern=${pattern}`]),
      parseFlavor([]),
      metaCtx(SCHEDULE)
    )
    expect(version.main).toBe(expected)
  })

  it('formats dates with moment tokens and [literals], and escapes HTML as Handlebars does', () => {
    expect(formatDate(NOW, 'YYYY-MM-DD[T]HH:mm:ss.SSS')).toBe('2020-01-10T00:30:00.000')
    expect(renderTemplate('{{a}}/{{{a}}}/{{missing}}', { a: 'x&y' })).toBe('x&amp;y/x&y/')
    expect(() => renderTemplate("{{date 'YYYY' zone='UTC'}}", { date: dateOf() })).toThrow(
      /Unknown zone attribute/
    )
  })

  it('parses versions as the semver and pep440 packages do', () => {
    expect(parseSemver('1.2')).toBeUndefined()
    expect(parseSemver('v01.2.3')).toBeUndefined()
    expect(parseSemver('=1.2.3+build.5')).toMatchObject({ version: '1.2.3', build: 'build.5' })
    expect(parsePep440('1!2.0a1.post2.dev3+Local-1')).toMatchObject({
      clean: '1!2.0a1.post2.dev3+local.1',
      isPrerelease: true,
      isPostrelease: true
    })
    expect(parsePep440('not-a-version')).toBeUndefined()
  })
})

function dateOf() {
  return dateHelper(NOW, 'date')
}
