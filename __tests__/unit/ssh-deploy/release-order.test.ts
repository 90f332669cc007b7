import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ReleaseRecord } from '../../../src/ssh-deploy/release-log.js'
import {
  AncestryFacts,
  decideOrder,
  liveCommit,
  orderVerdict,
  parseAncestry,
  runnerAncestry
} from '../../../src/ssh-deploy/release-order.js'
import { ancestryCommand } from '../../../src/commands/git.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const names = { candidate: 'the commit', live: 'the live commit' }
const facts = (extra: Partial<AncestryFacts>): AncestryFacts => ({
  repository: true,
  shallow: false,
  candidate: A,
  live: B,
  candidateIsAncestor: false,
  liveIsAncestor: false,
  ...extra
})

describe('decideOrder', () => {
  it('calls a commit that is an ancestor of the live one older, and the other way round newer', () => {
    expect(decideOrder(facts({ candidateIsAncestor: true }), names)).toEqual({ kind: 'older' })
    expect(decideOrder(facts({ liveIsAncestor: true }), names)).toEqual({ kind: 'newer' })
  })

  it('lets the live commit be deployed again', () => {
    const same = facts({ live: A, candidateIsAncestor: true, liveIsAncestor: true })
    expect(decideOrder(same, names)).toEqual({ kind: 'same' })
  })

  it('knows an ancestor in a shallow clone, but not that there is none', () => {
    expect(decideOrder(facts({ shallow: true, candidateIsAncestor: true }), names)).toEqual({
      kind: 'older'
    })
    expect(decideOrder(facts({ shallow: true, liveIsAncestor: true }), names)).toEqual({
      kind: 'newer'
    })
    expect(decideOrder(facts({ shallow: true }), names)).toEqual({
      kind: 'unknown',
      reason: 'is a shallow clone, without the history that links them'
    })
    expect(decideOrder(facts({}), names)).toEqual({ kind: 'diverged' })
  })

  it('says which commit the repository lacks', () => {
    expect(decideOrder(facts({ live: '' }), names)).toEqual({
      kind: 'unknown',
      reason: 'does not have the live commit'
    })
    expect(decideOrder(facts({ candidate: '' }), names)).toEqual({
      kind: 'unknown',
      reason: 'does not have the commit'
    })
    expect(decideOrder(facts({ repository: false }), names)).toEqual({
      kind: 'unknown',
      reason: 'is not a git repository'
    })
  })
})

describe('ancestryCommand and parseAncestry', () => {
  it('passes both refs as arguments after --end-of-options, never inside the script', () => {
    const cmd = ancestryCommand('/srv/app', '--upload-pack=touch /tmp/x', B)
    const [sh, dashC, script, ...args] = cmd.argv
    expect([sh, dashC]).toEqual(['sh', '-c'])
    expect(args).toEqual(['sh', '/srv/app', '--upload-pack=touch /tmp/x', B])
    expect(script).not.toContain('upload-pack')
    const refUses = script.match(/git -C "\$1" (rev-parse --verify|merge-base)[^;]*/g) ?? []
    expect(refUses).toHaveLength(3)
    for (const use of refUses) expect(use).toMatch(/--end-of-options "(\$c|\$2|\$3)/)
  })

  it('reads what git printed, taking only full commit ids from it', () => {
    expect(parseAncestry(`false\n${A}\n${B}\n0\n1\n`)).toEqual(facts({ candidateIsAncestor: true }))
    expect(parseAncestry(`true\n${A}\n\n128\n128\n`)).toEqual(facts({ shallow: true, live: '' }))
    expect(parseAncestry(`false\n${A}\n::error::forged\n1\n1\n`).live).toBe('')
    expect(parseAncestry('none\n').repository).toBe(false)
  })
})

describe('orderVerdict', () => {
  const live: ReleaseRecord = {
    id: '20260101T000000Z-bbbbbbb-0001',
    ref: B,
    source: 'git',
    status: 'succeeded',
    actor: 'octo',
    finishedAt: '2026-01-01T00:00:10Z'
  }

  it('refuses an older commit, naming both commits, the live release and the input to set', () => {
    const v = orderVerdict({ kind: 'older' }, A, live, false, 'the clone in /srv/app')
    expect(v.refusal).toBe(
      `${A} is older than the live release 20260101T000000Z-bbbbbbb-0001 (${B}, deployed by octo at 2026-01-01T00:00:10Z): ` +
        `it is an ancestor of ${B}, so deploying it would go back (a deploy of an earlier push that ran last?). ` +
        'Nothing was changed. To deploy it anyway, set allow-older: true; to go back to a release, use rollback-to'
    )
  })

  it('deploys an older commit with allow-older, saying so', () => {
    const v = orderVerdict({ kind: 'older' }, A, live, true, 'the clone in /srv/app')
    expect(v.refusal).toBeUndefined()
    expect(v.note).toMatch(
      /is older than the live release .*; deploying it because allow-older is true$/
    )
  })

  it('says when the order could not be checked, and deploys', () => {
    const v = orderVerdict(
      { kind: 'unknown', reason: 'does not have ' + B },
      A,
      live,
      false,
      "the runner's checkout (.)"
    )
    expect(v.refusal).toBeUndefined()
    expect(v.note).toBe(
      `Could not check that ${A} is not older than the live release 20260101T000000Z-bbbbbbb-0001 (${B}, deployed by octo at 2026-01-01T00:00:10Z): ` +
        `the runner's checkout (.) does not have ${B}; deploying it`
    )
  })

  it('keeps fields read from the server on one log line', () => {
    const forged = { ...live, actor: 'x\n::error::forged' }
    const v = orderVerdict({ kind: 'same' }, B, forged, false, 'the clone')
    expect(v.note).not.toContain('\n')
  })

  it('compares only with a live release recorded by its commit', () => {
    expect(liveCommit(live)).toBe(B)
    expect(liveCommit({ ...live, ref: 'main' })).toBeUndefined()
  })
})

describe('runnerAncestry (the runner checkout, with git)', () => {
  let root: string
  const shas: Record<string, string> = {}
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd,
      encoding: 'utf8'
    }).trim()

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'deploykit-order-'))
    const full = join(root, 'full')
    git(root, 'init', '-q', '-b', 'main', full)
    for (const name of ['A', 'B', 'C']) {
      git(full, 'commit', '-q', '--allow-empty', '-m', name)
      shas[name] = git(full, 'rev-parse', 'HEAD')
    }
    git(full, 'checkout', '-q', '-b', 'side', shas.A)
    git(full, 'commit', '-q', '--allow-empty', '-m', 'side')
    shas.side = git(full, 'rev-parse', 'HEAD')
    git(full, 'checkout', '-q', 'main')
    // What actions/checkout leaves by default (fetch-depth: 1), and with fetch-depth: 2.
    for (const depth of ['1', '2'])
      git(
        root,
        'clone',
        '-q',
        '--depth',
        depth,
        '--branch',
        'main',
        `file://${full}`,
        `depth${depth}`
      )
  })

  afterAll(() => rmSync(root, { recursive: true, force: true }))

  const order = (dir: string, candidate: string, live: string) =>
    decideOrder(runnerAncestry(join(root, dir), candidate, live), { candidate, live })

  it('finds the order with the whole history', () => {
    expect(order('full', shas.A, shas.C)).toEqual({ kind: 'older' })
    expect(order('full', shas.C, shas.B)).toEqual({ kind: 'newer' })
    expect(order('full', 'main', shas.C)).toEqual({ kind: 'same' })
    expect(order('full', shas.side, shas.C)).toEqual({ kind: 'diverged' })
  })

  it('knows a parent it fetched, and says what a shallow checkout cannot know', () => {
    expect(order('depth2', shas.C, shas.B)).toEqual({ kind: 'newer' })
    expect(order('depth1', shas.C, shas.B)).toEqual({
      kind: 'unknown',
      reason: `does not have ${shas.B}`
    })
    expect(order('missing-dir', shas.C, shas.B)).toEqual({
      kind: 'unknown',
      reason: 'is not a git repository'
    })
  })

  it('never lets a ref act as an option of git', () => {
    const marker = join(root, 'ran')
    const facts = runnerAncestry(join(root, 'full'), `--output=${marker}`, shas.C)
    expect(facts.candidate).toBe('')
    expect(existsSync(marker)).toBe(false)
  })
})
