export type Tool = 'django' | 'alembic' | 'command' | 'service'
export type Direction = 'up' | 'down'

/** What decides a tool's commands. */
export interface MigrationSpec {
  tool: Tool
  direction: Direction
  /** Where to migrate to: a revision (alembic) or an app and migration (django), as the settings read it. */
  target: string
  /** The shell commands of `tool: command`, run inside the service. */
  command: string
  downCommand: string
}

/**
 * The argv run inside the service for each tool, as data. Django needs the
 * interpreter found in the image (python or python3).
 */
export function migrationArgv(s: MigrationSpec, python: string): readonly string[] | undefined {
  switch (s.tool) {
    case 'django':
      return [python, 'manage.py', 'migrate', '--noinput', ...(s.target ? s.target.split(' ') : [])]
    case 'alembic':
      return s.direction === 'up'
        ? ['alembic', 'upgrade', s.target]
        : ['alembic', 'downgrade', s.target]
    case 'command':
      return ['sh', '-c', s.direction === 'up' ? s.command : s.downCommand]
    case 'service':
      return undefined // the service's own command
  }
}

/** What `plan-only` runs: each prints, none changes anything. */
export function planArgvs(s: MigrationSpec, python: string): Array<readonly string[]> {
  switch (s.tool) {
    case 'django':
      return [
        [python, 'manage.py', 'showmigrations', '--plan'],
        [python, 'manage.py', 'migrate', '--plan', ...(s.target ? s.target.split(' ') : [])]
      ]
    case 'alembic':
      return [
        ['alembic', 'current'],
        ['alembic', 'heads'],
        [
          'alembic',
          'history',
          '-r',
          s.direction === 'up' ? `current:${s.target}` : `${s.target}:current`
        ]
      ]
    default:
      return []
  }
}

/** What reads the current state before and after, to report from/to and what was applied. */
export function stateArgv(
  tool: MigrationSpec['tool'],
  python: string
): readonly string[] | undefined {
  if (tool === 'django') return [python, 'manage.py', 'showmigrations', '--plan']
  if (tool === 'alembic') return ['alembic', 'current']
  return undefined
}
