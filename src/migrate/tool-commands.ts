import type { Direction } from './settings.js'

// The migrate stage's main module imports the tools' commands from here.
export { migrationArgv, planArgvs, stateArgv } from '../commands/migrate-tool.js'

export function directionWord(direction: Direction): string {
  return direction === 'up' ? 'applied' : 'reverted'
}
