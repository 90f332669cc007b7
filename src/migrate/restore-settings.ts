import { InputError } from '../core/errors.js'
import { InputReader, readBoolean, readInteger } from '../core/inputs.js'

const SERVICE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

export interface RestoreSettings {
  restoreOnFailure: boolean
  restoreStopServices: string[]
  restoreLockTimeout: number
}

/**
 * `restore-on-failure`, the services it stops while it restores (default:
 * the migrated one) and how long it waits for a lock. The service the
 * PostgreSQL client runs in cannot be stopped: the restore runs there.
 */
export function readRestoreSettings(
  read: InputReader,
  migratedService: string,
  backup: { service: string } | undefined
): RestoreSettings {
  const restoreOnFailure = readBoolean(read, 'restore-on-failure', false)
  const given = read('restore-stop-services')
    .split(/[\s,]+/)
    .filter(Boolean)
  for (const name of given) {
    if (!SERVICE.test(name))
      throw new InputError(
        'restore-stop-services',
        `${JSON.stringify(name)} is not a Compose service name`
      )
  }
  const client = backup?.service ?? ''
  if (client && given.includes(client)) {
    throw new InputError(
      'restore-stop-services',
      `names ${client}, the backup-service the restore runs psql in`,
      'List only the services that write to the database (the app, its workers)'
    )
  }
  if (restoreOnFailure && !backup) {
    throw new InputError(
      'restore-on-failure',
      'is true, but backup is none: there would be nothing to restore',
      'Set backup: pg_dump'
    )
  }
  const restoreStopServices = given.length
    ? [...new Set(given)]
    : [migratedService].filter(s => s !== client)
  return {
    restoreOnFailure,
    restoreStopServices,
    restoreLockTimeout: readInteger(read, 'restore-lock-timeout', 30, 1, 3600)
  }
}
