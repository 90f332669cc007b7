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

/** A duration in seconds: `90`, `90s`, `5m`, `1h`. Returns milliseconds. */
export function readDuration(read: InputReader, name: string, fallbackSeconds: number): number {
  const value = read(name).trim()
  if (value === '') return fallbackSeconds * 1000
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(value)
  if (!m) {
    throw new InputError(
      name,
      `${JSON.stringify(value)} is not a duration`,
      'Use seconds (90) or a number with s, m or h (90s, 5m, 1h)'
    )
  }
  const scale = { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h']
  return Math.round(Number(m[1]) * scale * 1000)
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
