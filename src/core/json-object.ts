/** A parsed JSON value that is an object (not an array, not null), read field by field. */
export type JsonObject = Record<string, unknown>

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
