// Old releases, release images and backups are pruned alike: keep the newest
// few, never one that is still needed, remove the rest.
import type { HostContext } from './fleet.js'
import { RemoteCommand } from './remote-command.js'

export interface PruneChoice {
  keep: string[]
  remove: string[]
}

/**
 * Names sort oldest first (they start with a timestamp); the newest
 * `keepNewest` stay, and so does every protected one, whatever its age.
 */
export function choosePruned(
  names: readonly string[],
  keepNewest: number,
  isProtected: (name: string) => boolean = () => false
): PruneChoice {
  const sorted = [...names].sort()
  const cut = Math.max(0, sorted.length - keepNewest)
  const remove = sorted.slice(0, cut).filter(name => !isProtected(name))
  return { keep: sorted.filter(name => !remove.includes(name)), remove }
}

export interface Pruning {
  /** Prints the candidates, one per line. */
  list: RemoteCommand
  /** Lines that name something this pruning may remove; others are left alone. */
  ours(name: string): boolean
  keepNewest: number
  isProtected?(name: string): boolean
  remove(name: string): RemoteCommand
}

/**
 * Lists, chooses, removes. A removal that fails leaves that one for the next
 * deploy, which tries again: pruning never fails a deploy. Returns what was removed.
 */
export async function pruneListed(host: HostContext, p: Pruning): Promise<string[]> {
  const listed = await host.run(p.list, { quiet: true })
  const names = listed.stdout
    .split('\n')
    .map(s => s.trim())
    .filter(name => name && p.ours(name))
  const { remove } = choosePruned(names, p.keepNewest, p.isProtected)
  for (const name of remove) await host.run(p.remove(name), { quiet: true })
  return remove
}
