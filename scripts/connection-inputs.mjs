// The SSH connection inputs mean the same in every action that reaches a server, so they are
// written once, in connection-inputs.yml, and `npm run docs` copies that text into each such
// action.yml between two marker comments. The text is copied as written (not re-serialised), so
// every action.yml keeps the exact quoting and order it had; GitHub and actionlint read the
// markers as plain YAML comments.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { parse } from 'yaml'

export const CONNECTION_INPUTS_SOURCE = 'scripts/connection-inputs.yml'

/** The actions that reach a server, each taking the connection inputs. */
export const CONNECTION_ACTION_DIRS = [
  '.',
  'ssh-deploy',
  'migrate',
  'collectstatic',
  'smoke-check',
  'ssh'
]

const START =
  '  # connection inputs: made from scripts/connection-inputs.yml by `npm run docs`; edit that file, not this block'
const END = '  # connection inputs end'

export function readConnectionSource() {
  return readFileSync(CONNECTION_INPUTS_SOURCE, 'utf8')
}

/** The source's inputs, parsed: name → { description, required, default }. */
export function connectionInputs(sourceText) {
  return parse(sourceText)
}

/** The source's inputs as text, one chunk of lines per input, in the source's order. */
function inputChunks(sourceText) {
  const chunks = []
  for (const line of sourceText.replace(/\n+$/, '').split('\n')) {
    const name = /^([a-z0-9-]+):/.exec(line)?.[1]
    if (name) chunks.push({ name, lines: [line] })
    else if (chunks.length > 0) chunks.at(-1).lines.push(line)
    else if (line !== '' && !line.startsWith('#'))
      throw new Error(`${CONNECTION_INPUTS_SOURCE}: "${line}" comes before the first input`)
  }
  return chunks
}

/**
 * The actions that read the app's config file: there `host` may come from the file, so the
 * input is not required (the action says so when neither gives it).
 */
export const CONFIG_READING_DIRS = ['.', 'ssh-deploy']

function blockLines(sourceText, ownInputs, readsConfig) {
  const lines = inputChunks(sourceText)
    .filter(chunk => !ownInputs.has(chunk.name))
    .flatMap(chunk =>
      readsConfig
        ? chunk.lines.map(l => (l === '  required: true' ? '  required: false' : l))
        : chunk.lines
    )
    .map(line => (line === '' ? line : `  ${line}`))
  return [START, ...lines, END]
}

/**
 * The action.yml text with its connection inputs block rewritten from the source. An input the
 * action defines outside the block is its own and is left out of the block.
 */
export function withConnectionInputs(actionText, sourceText, path = 'action.yml') {
  const lines = actionText.split('\n')
  const start = lines.indexOf(START)
  const end = lines.indexOf(END)
  if (start < 0 || end < start)
    throw new Error(
      `${path}: no connection inputs block (a "${START.trim()}" … "${END.trim()}" pair under inputs)`
    )
  const outside = [...lines.slice(0, start), ...lines.slice(end + 1)]
  const ownInputs = new Set(Object.keys(parse(outside.join('\n'))?.inputs ?? {}))
  const text = [
    ...lines.slice(0, start),
    ...blockLines(
      sourceText,
      ownInputs,
      CONFIG_READING_DIRS.some(dir => path === `${dir}/action.yml`)
    ),
    ...lines.slice(end + 1)
  ].join('\n')
  // Throws on a duplicate key, and proves the block landed under `inputs`.
  const inputs = parse(text, { uniqueKeys: true })?.inputs ?? {}
  for (const name of Object.keys(connectionInputs(sourceText)))
    if (!(name in inputs)) throw new Error(`${path}: connection input ${name} is not under inputs`)
  return text
}

/** Rewrites each action's block; returns the paths it changed. */
export function writeConnectionInputs() {
  const source = readConnectionSource()
  return rewriteFiles(
    CONNECTION_ACTION_DIRS.map(dir => `${dir}/action.yml`),
    (text, path) => withConnectionInputs(text, source, path)
  )
}

/** Writes each file whose text `made` changes; returns the paths it wrote. */
export function rewriteFiles(paths, made) {
  return paths.filter(path => writeIfChanged(path, made(readFileSync(path, 'utf8'), path)))
}

/** Writes `text` to `path` unless the file already holds it (or creates it); true when it wrote. */
export function writeIfChanged(path, text) {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false
  writeFileSync(path, text)
  return true
}
