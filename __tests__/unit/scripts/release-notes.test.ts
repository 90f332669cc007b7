// The notes of a GitHub release: the version's CHANGELOG.md section, as
// scripts/release-notes.mjs extracts it for the release workflow.
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { changelogSection } from '../../../scripts/release-notes.mjs'

const CHANGELOG = `# Changelog

Intro text.

## [Unreleased]

### Fixed

- not out yet

## [1.10.0] - 2027-01-05

### Added

- rolling deploys

## [1.1.0] - 2026-12-20

### Fixed

- the lock

## [1.0.0]

## 0.9.0 - 2026-11-01

- a heading without brackets

[Unreleased]: https://example.com/compare/v1.10.0...HEAD
[1.10.0]: https://example.com/releases/tag/v1.10.0
`

describe('changelogSection', () => {
  it("is the version's section, without its heading, up to the next one", () => {
    expect(changelogSection(CHANGELOG, '1.10.0')).toBe('### Added\n\n- rolling deploys')
    expect(changelogSection(CHANGELOG, '1.1.0')).toBe('### Fixed\n\n- the lock')
    expect(changelogSection(CHANGELOG, 'Unreleased')).toBe('### Fixed\n\n- not out yet')
  })

  it('stops before the link definitions at the end', () => {
    expect(changelogSection(CHANGELOG, '0.9.0')).toBe('- a heading without brackets')
  })

  it('is undefined for a missing or empty section, and matches whole versions only', () => {
    expect(changelogSection(CHANGELOG, '1.2.0')).toBeUndefined()
    expect(changelogSection(CHANGELOG, '1.0.0')).toBeUndefined()
    expect(changelogSection(CHANGELOG, '1.1')).toBeUndefined()
    expect(changelogSection(CHANGELOG, '1.10')).toBeUndefined()
  })

  it('reads CRLF files', () => {
    expect(changelogSection(CHANGELOG.replaceAll('\n', '\r\n'), '1.1.0')).toBe(
      '### Fixed\n\n- the lock'
    )
  })
})

describe("the project's CHANGELOG.md", () => {
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version

  it("has a section for package.json's version, printed by the script", () => {
    const notes = execFileSync('node', ['scripts/release-notes.mjs', version], {
      encoding: 'utf8'
    })
    expect(notes).toBe(`${changelogSection(readFileSync('CHANGELOG.md', 'utf8'), version)}\n`)
    expect(notes).toMatch(/^### Added$/m)
  })

  it('has an Unreleased section above it', () => {
    expect(readFileSync('CHANGELOG.md', 'utf8')).toMatch(
      new RegExp(`## \\[Unreleased\\][\\s\\S]*## \\[${version.replaceAll('.', '\\.')}\\] - `)
    )
  })

  it('makes the script fail, naming the version, when there is no section', () => {
    expect(() =>
      execFileSync('node', ['scripts/release-notes.mjs', '9.9.9'], { stdio: 'pipe' })
    ).toThrow(/CHANGELOG.md has no section for 9.9.9/)
  })
})
