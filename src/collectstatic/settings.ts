import { AppSettings, readAppSettings } from '../core/app-settings.js'
import { ServiceMode } from '../commands/compose.js'
import { ConnectionSettings, readConnectionSettings } from '../core/connection-settings.js'
import { InputError } from '../core/errors.js'
import { InputReader, readBoolean, readChoice } from '../core/inputs.js'
import { readService } from '../migrate/settings.js'

export interface CollectstaticSettings {
  connection: ConnectionSettings
  app: AppSettings
  service: string
  mode: ServiceMode
  clear: boolean
  settings: string
  python: string
}

/** `connection` is given by a caller that read the connection inputs already (the root action). */
export function readCollectstaticSettings(
  read: InputReader,
  connection?: ConnectionSettings
): CollectstaticSettings {
  const settings = read('settings').trim()
  if (settings && !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(settings)) {
    throw new InputError(
      'settings',
      `${JSON.stringify(settings)} is not a Python module path`,
      'For example: mysite.settings.production'
    )
  }
  const python = read('python').trim()
  if (python && !/^[A-Za-z0-9_./-]+$/.test(python))
    throw new InputError('python', `${JSON.stringify(python)} is not an interpreter path`)
  return {
    connection: connection ?? readConnectionSettings(read),
    app: readAppSettings(read),
    service: readService(read, 'service', 'backend'),
    mode: readChoice(read, 'mode', ['exec', 'run'] as const, 'exec') as ServiceMode,
    clear: readBoolean(read, 'clear', false),
    settings,
    python
  }
}
