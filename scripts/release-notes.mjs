// A version's section of CHANGELOG.md (Keep a Changelog: `## [1.2.3] - 2026-12-02`), which
// becomes the notes of its GitHub release. `node scripts/release-notes.mjs 1.2.3` prints it.
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const HEADING = /^## \[?([^\]\s]+)\]?(?:\s+-\s+.*)?\s*$/
// Keep a Changelog ends with link definitions (`[1.2.3]: https://…`); they belong to no section.
const LINK_DEFINITION = /^\[[^\]]+\]:\s/

/** The body of `version`'s section, trimmed, or undefined when there is none or it is empty. */
export function changelogSection(changelog, version) {
  const lines = changelog.split(/\r?\n/)
  const start = lines.findIndex(line => HEADING.exec(line)?.[1] === version)
  if (start === -1) return undefined
  const rest = lines.slice(start + 1)
  const end = rest.findIndex(line => HEADING.test(line) || LINK_DEFINITION.test(line))
  const body = (end === -1 ? rest : rest.slice(0, end)).join('\n').trim()
  return body === '' ? undefined : body
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const version = process.argv[2]
  const notes = version && changelogSection(readFileSync('CHANGELOG.md', 'utf8'), version)
  if (!notes) {
    console.error(`CHANGELOG.md has no section for ${version ?? '(no version given)'}.`)
    process.exit(1)
  }
  process.stdout.write(`${notes}\n`)
}
