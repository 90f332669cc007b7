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
