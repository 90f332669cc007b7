export const CONNECTION_INPUTS_SOURCE: string
export const CONNECTION_ACTION_DIRS: string[]
export function readConnectionSource(): string
export function connectionInputs(
  sourceText: string
): Record<string, { description?: string; required?: boolean; default?: unknown }>
export function withConnectionInputs(actionText: string, sourceText: string, path?: string): string
export function writeConnectionInputs(): string[]
export function rewriteFiles(
  paths: string[],
  made: (text: string, path: string) => string
): string[]
export const CONFIG_READING_DIRS: string[]
export function writeIfChanged(path: string, text: string): boolean
