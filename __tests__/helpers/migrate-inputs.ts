// The migrate stage's settings from action inputs, on top of a connection
// and app-dir that are valid, so a test gives only the inputs it is about.
import { mapInputs } from '../../src/core/inputs.js'
import { MigrateSettings, readMigrateSettings } from '../../src/migrate/settings.js'

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
const base = {
  host: 'deploy@web1',
  key: KEY,
  'insecure-skip-host-key-check': 'true',
  'app-dir': '/srv/app'
}

export function readMigrateInputs(extra: Record<string, string> = {}): MigrateSettings {
  return readMigrateSettings(mapInputs({ ...base, ...extra }))
}
