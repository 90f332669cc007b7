import * as core from '@actions/core'
import { InputError } from './errors.js'

export interface ReadOptions {
  /** Keep leading and trailing whitespace (values where spaces are data, such as `env`). */
  keepWhitespace?: boolean
}

/** Reads one input by name; '' when unset. Entries pass core.getInput, tests pass a map. */
export type InputReader = (name: string, options?: ReadOptions) => string

export const actionInputs: InputReader = (name, options) =>
  core.getInput(name, { trimWhitespace: !options?.keepWhitespace })

export function mapInputs(values: Record<string, string | undefined>): InputReader {
  return (name, options) =>
    options?.keepWhitespace ? (values[name] ?? '') : (values[name] ?? '').trim()
}

export function readBoolean(read: InputReader, name: string, fallback: boolean): boolean {
  const value = read(name).trim().toLowerCase()
  if (value === '') return fallback
  if (['true', 'yes', '1', 'on'].includes(value)) return true
  if (['false', 'no', '0', 'off'].includes(value)) return false
  throw new InputError(name, `${JSON.stringify(read(name))} is not a boolean`, 'Use true or false')
}

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  '\u00b5s': 1e-3,
  '\u03bcs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000
}

/** One `<number><unit>` of a Go duration; the number may be `1`, `1.5`, `.5` or `1.`. */
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)\s*(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/gy

/** The longest a Node timer can wait (2^31 - 1 ms, about 24.8 days): a longer one fires at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1

/**
 * Milliseconds in a duration as Go's time.ParseDuration reads it (`1h30m`,
 * `500ms`, `1.5h`, `90s`), or in plain seconds (`90`, `2.5`); undefined when
 * it is neither. A positive duration never rounds down to 0, which means
 * "no limit" to some inputs.
 */
export function parseDuration(value: string): number | undefined {
  if (/^(\d+(\.\d+)?)$/.test(value)) return Math.round(Number(value) * 1000)
  if (value === '') return undefined
  DURATION_PART.lastIndex = 0
  let total = 0
  let end = 0
  for (let m = DURATION_PART.exec(value); m; m = DURATION_PART.exec(value)) {
    total += Number(m[1]) * DURATION_UNITS_MS[m[2]]
    end = DURATION_PART.lastIndex
  }
  if (end !== value.length) return undefined
  return total > 0 ? Math.max(1, Math.round(total)) : 0
}

/**
 * A duration input: plain seconds as before (`90`), or Go-style as
 * appleboy/ssh-action's inputs take them (`90s`, `5m`, `1h30m`, `500ms`).
 * Returns milliseconds.
 */
export function readDuration(read: InputReader, name: string, fallbackSeconds: number): number {
  const value = read(name).trim()
  if (value === '') return fallbackSeconds * 1000
  const ms = parseDuration(value)
  if (ms === undefined) {
    throw new InputError(
      name,
      `${JSON.stringify(value)} is not a duration`,
      'Use seconds (90) or a Go-style duration: a number with h, m, s or ms, one or several (90s, 5m, 1h30m, 500ms)'
    )
  }
  if (ms > MAX_DURATION_MS) {
    throw new InputError(
      name,
      `${JSON.stringify(value)} is longer than the longest wait a timer can hold (about 24 days)`,
      'Use a shorter duration, or 0 where the input allows no limit'
    )
  }
  return ms
}

export function readInteger(
  read: InputReader,
  name: string,
  fallback: number,
  min: number,
  max: number
): number {
  const value = read(name).trim()
  if (value === '') return fallback
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new InputError(
      name,
      `${JSON.stringify(value)} is not a whole number from ${min} to ${max}`
    )
  }
  return n
}

export function readChoice<T extends string>(
  read: InputReader,
  name: string,
  choices: readonly T[],
  fallback: T
): T {
  const value = read(name).trim()
  if (value === '') return fallback
  if (!(choices as readonly string[]).includes(value)) {
    throw new InputError(name, `${JSON.stringify(value)} is not one of ${choices.join(', ')}`)
  }
  return value as T
}

/** Non-empty, non-comment lines of a multi-line input. */
export function readLines(read: InputReader, name: string): string[] {
  return read(name)
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(l => l !== '' && !l.startsWith('#'))
}
