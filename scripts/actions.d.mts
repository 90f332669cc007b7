export const ENTRIES: string[]
