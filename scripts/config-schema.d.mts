export const CONFIG_SCHEMA_FILE: string
export function configSchema(rootAction: unknown): {
  properties: Record<string, { description: string; default?: unknown }>
  additionalProperties: boolean
}
