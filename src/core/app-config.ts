import * as core from '@actions/core'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml'
import { CONFIG_KEYS, NOT_IN_CONFIG, notInConfigFix } from './app-config-keys.mjs'
import { InputError } from './errors.js'
import { InputReader } from './inputs.js'
import { logRemote } from './log.js'

/** Where the app's settings live in the caller's repository unless `config` names another file. */
export const DEFAULT_CONFIG_PATH = '.github/deploy-kit.yml'

/** The app's config file, read and checked: each key's value as an input would give it. */
export interface AppConfig {
  /** The file as the log names it: relative to the workspace when inside it. */
  path: string
  values: Readonly<Record<string, string>>
}

function fail(problem: string, fix?: string): never {
  throw new InputError('config', problem, fix)
}

/** Edit distance, for "did you mean" on a misspelt key. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]
}

function closestKey(key: string): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const known of CONFIG_KEYS) {
    const d = distance(key, known)
    if (d < bestDistance) [best, bestDistance] = [known, d]
  }
  return best
}

function scalarText(node: Scalar, where: string, key: string): string {
  const { value } = node
  if (value === null || value === undefined)
    fail(`${where}: ${key} has no value`, 'Give it a value, or leave the key out')
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  fail(`${where}: ${key} is not text, a number or true/false`)
}

/**
 * Reads the config file's YAML into input values. A list becomes one value
 * per line (as a multi-line input takes them); `vars` may also be a mapping,
 * which becomes `KEY=VALUE` lines. A key deploy-kit does not know, a secret, a
 * per-run setting and a key given twice are refused, each naming its line.
 */
export function parseAppConfig(text: string, path: string): Record<string, string> {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false })
  const at = (offset: number | undefined) =>
    offset === undefined ? path : `${path} line ${lines.linePos(offset).line}`
  if (doc.errors.length > 0) {
    const first = doc.errors[0]
    fail(`${at(first.pos[0])}: ${first.message.split('\n')[0]}`, 'Fix the YAML')
  }
  if (doc.contents === null) return {}
  if (!isMap(doc.contents))
    fail(
      `${path} is not a mapping of settings`,
      'Write one `key: value` per line, e.g. `strategy: rolling`'
    )
  const values: Record<string, string> = {}
  for (const pair of doc.contents.items) {
    const keyNode = pair.key
    const key = isScalar(keyNode) ? String(keyNode.value) : ''
    const where = at(isScalar(keyNode) ? keyNode.range?.[0] : undefined)
    if (key in NOT_IN_CONFIG)
      fail(
        `${where}: ${key} ${NOT_IN_CONFIG[key]}, so it cannot be in the config file`,
        notInConfigFix(key)
      )
    if (!CONFIG_KEYS.includes(key)) {
      const near = closestKey(key)
      fail(
        `${where}: ${JSON.stringify(key)} is not a deploy-kit setting`,
        near
          ? `Did you mean ${near}?`
          : 'The keys are the inputs’ names; see deploy-kit.schema.json'
      )
    }
    const node = pair.value
    if (isScalar(node)) values[key] = scalarText(node, where, key)
    else if (isSeq(node))
      values[key] = node.items
        .map(item => {
          if (!isScalar(item)) fail(`${where}: ${key} is a list of something other than values`)
          return scalarText(item, where, key)
        })
        .join('\n')
    else if (isMap(node) && key === 'vars')
      values[key] = node.items
        .map(item => {
          if (!isScalar(item.key) || !isScalar(item.value))
            fail(`${where}: vars holds something other than NAME: value pairs`)
          return `${String(item.key.value)}=${scalarText(item.value, where, key)}`
        })
        .join('\n')
    else if (node === null || node === undefined)
      fail(`${where}: ${key} has no value`, 'Give it a value, or leave the key out')
    else fail(`${where}: ${key} is a mapping`, 'Give a value, or a list of values')
  }
  return values
}

/**
 * Finds and reads the app's config file: `config` names it (relative to the
 * workspace), `none` reads none, and unset means .github/deploy-kit.yml when
 * it exists. A file that `config` names must exist.
 */
export function loadAppConfig(
  read: InputReader,
  options: { workspace?: string; quiet?: boolean } = {}
): AppConfig | undefined {
  const given = read('config').trim()
  if (given === 'none') return undefined
  const workspace = resolve(options.workspace ?? (process.env.GITHUB_WORKSPACE || process.cwd()))
  const full = resolve(workspace, given || DEFAULT_CONFIG_PATH)
  const inside = relative(workspace, full)
  const path = inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : full
  if (!existsSync(full)) {
    if (given)
      fail(
        `no file at ${path} (in ${workspace})`,
        'Check out the repository first (actions/checkout), or fix the path; config: none reads no file'
      )
    core.debug(`no config file at ${path}: the inputs alone give the settings`)
    return undefined
  }
  if (!statSync(full).isFile()) fail(`${path} is not a file`)
  const values = parseAppConfig(readFileSync(full, 'utf8'), path)
  const keys = Object.keys(values)
  if (!options.quiet)
    logRemote(
      keys.length > 0
        ? `Settings from ${path}: ${keys.join(', ')} (an input given to the step overrides its key)`
        : `${path} holds no settings`
    )
  return { path, values }
}

/**
 * The inputs over the config file: an input given to the step (not empty)
 * wins, else the file's value, else '' and the setting's own default.
 */
export function withAppConfig(read: InputReader, config: AppConfig | undefined): InputReader {
  if (!config) return read
  return (name, options) => {
    const given = read(name, options)
    if (given.trim() !== '' || !(name in config.values)) return given
    const value = config.values[name]
    return options?.keepWhitespace ? value : value.trim()
  }
}

/**
 * Reads settings through the inputs over the config file; a bad value that
 * came from the file says so, so the user knows which of the two to fix.
 */
export function readWithAppConfig<S>(
  read: InputReader,
  readSettings: (read: InputReader) => S,
  options: { quiet?: boolean } = {}
): S {
  const config = loadAppConfig(read, options)
  try {
    return readSettings(withAppConfig(read, config))
  } catch (err) {
    if (err instanceof InputError && read(err.input).trim() === '') {
      if (config && err.input in config.values)
        err.message = `${err.message} (the value is from ${config.path})`
      else if (CONFIG_KEYS.includes(err.input))
        err.message = `${err.message} (as an input, or as ${err.input} in ${config?.path ?? DEFAULT_CONFIG_PATH})`
    }
    throw err
  }
}
