export declare const ACTIONS: ReadonlyArray<{ name: string; source: string }>
export declare const ENTRIES: string[]
