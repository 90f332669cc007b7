// Finds secrets left in files, in every file under a directory: a registry
// password as given and as the docker CLI stores it, any value by name.
import { lstatSync, readdirSync, readFileSync, Stats } from 'node:fs'
import { join } from 'node:path'

/** A registry password as given, and as config.json's `auth` holds it (base64 of `user:password`). */
export function credentialForms(username: string, password: string): string[] {
  return [password, Buffer.from(`${username}:${password}`).toString('base64')]
}

/** Every regular file under `root`, symlinks not followed (a link is reported where it points). */
export function filesUnder(root: string): string[] {
  let names: string[]
  try {
    names = readdirSync(root)
  } catch {
    return []
  }
  const files: string[] = []
  for (const name of names) {
    const path = join(root, name)
    let stat
    try {
      stat = lstatSync(path)
    } catch {
      continue // removed while we looked
    }
    if (stat.isDirectory()) files.push(...filesUnder(path))
    else if (stat.isFile()) files.push(path)
  }
  return files
}

/** The files under `roots` that contain any of `needles`, sorted. */
export function filesHolding(roots: readonly string[], needles: readonly string[]): string[] {
  const found = new Set<string>()
  for (const root of roots) {
    for (const file of filesUnder(root)) {
      let text: string
      try {
        text = readFileSync(file, 'latin1')
      } catch {
        continue // unreadable, a socket or gone
      }
      if (needles.some(n => n && text.includes(n))) found.add(file)
    }
  }
  return [...found].sort()
}

/** A file that holds secrets: which of them, and its mode (`600`). */
export interface SecretHolder {
  file: string
  secrets: string[]
  mode: string
}

/**
 * Reads every file under `roots` that `include` accepts and names the
 * secrets (by their key in `needles`) each one holds. Returns the holders
 * and how many files were read.
 */
export function secretHolders(
  roots: readonly string[],
  needles: Readonly<Record<string, string>>,
  include: (file: string, stat: Stats) => boolean = () => true
): { holders: SecretHolder[]; filesRead: number } {
  const holders: SecretHolder[] = []
  let filesRead = 0
  for (const root of roots) {
    for (const file of filesUnder(root)) {
      let stat: Stats
      let text: string
      try {
        stat = lstatSync(file)
        if (!include(file, stat)) continue
        text = readFileSync(file, 'latin1')
      } catch {
        continue
      }
      filesRead++
      const held = Object.entries(needles)
        .filter(([, value]) => value && text.includes(value))
        .map(([name]) => name)
      if (held.length > 0)
        holders.push({ file, secrets: held, mode: (stat.mode & 0o777).toString(8) })
    }
  }
  return { holders, filesRead }
}
