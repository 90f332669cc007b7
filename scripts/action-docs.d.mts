export const ACTION_DIRS: string[]
export function readAction(dir: string): unknown
export function tables(action: unknown): string
export function withFreshTables(readme: string, action: unknown): string
export function readmeInputRows(readme: string): string[][]
export function expectedInputRows(action: unknown): string[][]
export function inputDefault(input: { default?: unknown; description?: string }): {
  value: string
  description: string
}
