// The migrate stage's settings from action inputs, on top of a connection
// and app-dir that are valid, so a test gives only the inputs it is about.
import { mapInputs } from '../../src/core/inputs.js'
import { MigrateSettings, readMigrateSettings } from '../../src/migrate/settings.js'
import { CONNECTION_INPUTS } from './connection-inputs.js'

export function readMigrateInputs(extra: Record<string, string> = {}): MigrateSettings {
  return readMigrateSettings(mapInputs({ ...CONNECTION_INPUTS, ...extra }))
}
