export const NOT_IN_CONFIG: Readonly<Record<string, string>>
export function notInConfigFix(key: string): string
export const CONFIG_KEYS: readonly string[]
