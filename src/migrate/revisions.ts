/** Parsers for what migration tools print about their state. */

/** `[X]  shop.0001_initial` lines of `manage.py showmigrations --plan`: the applied ones, in order. */
export function djangoApplied(output: string): string[] {
  return output
    .split('\n')
    .map(l => /^\[X\]\s+([\w]+\.[\w]+)/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(m => m[1])
}

/** Latest applied migration per app: `blog.0001_initial shop.0002_product_price`, or `zero`. */
export function djangoRevision(applied: readonly string[]): string {
  const latest = new Map<string, string>()
  for (const name of applied) latest.set(name.split('.')[0], name)
  return (
    [...latest.keys()]
      .sort()
      .map(app => latest.get(app))
      .join(' ') || 'zero'
  )
}

/** Revision ids `alembic current` prints (one per head), or `base` when none is applied. */
export function alembicRevision(output: string): string {
  const ids = output
    .split('\n')
    .map(l =>
      /^([0-9A-Za-z_]+)(\s+\(head\)|\s+\(mergepoint\)|\s+\(branchpoint\)|\s*$)/.exec(l.trim())
    )
    .filter((m): m is RegExpExecArray => m !== null && !/^INFO/.test(m[1]))
    .map(m => m[1])
  return ids.join(' ') || 'base'
}

/**
 * What a down-migration to `recorded` (a revision this file's parsers made,
 * before a deploy) runs from the state now: for django one `app migration`
 * per app whose latest migration is past the recorded one (`app zero` for an
 * app that had none), for alembic the recorded revision itself. Empty when
 * the database is at the recorded revision already.
 */
export function downTargets(
  tool: 'django' | 'alembic',
  recorded: string,
  current: string
): string[] {
  if (tool === 'alembic') {
    if (/\s/.test(recorded.trim()))
      throw new Error(
        `the revision before the deploy has several heads (${recorded}); alembic downgrade takes one`
      )
    return recorded.trim() === current.trim() ? [] : [recorded.trim()]
  }
  const latest = (revision: string) =>
    new Map(
      revision
        .split(/\s+/)
        .filter(name => name.includes('.'))
        .map(name => [name.split('.')[0], name.split('.')[1]] as const)
    )
  const before = latest(recorded)
  const now = latest(current)
  return [...now.keys()]
    .sort()
    .filter(app => now.get(app) !== before.get(app))
    .map(app => `${app} ${before.get(app) ?? 'zero'}`)
}
