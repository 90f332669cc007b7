import { AppSettings, readAppSettings } from '../core/app-settings.js'
import type { DatabaseConnection } from '../commands/database.js'
import type { Direction, Tool } from '../commands/migrate-tool.js'
import { ServiceMode } from '../commands/compose.js'
import {
  ConnectionSettings,
  Endpoint,
  readConnectionSettings
} from '../core/connection-settings.js'
import { InputError } from '../core/errors.js'
import { InputReader, readBoolean, readChoice, readInteger } from '../core/inputs.js'
import { readRestoreSettings } from './restore-settings.js'
import { isShortSecret, registerSecret, warnShortSecret } from '../core/secrets.js'
import { splitDatabaseUrl } from './database-url.js'
import type { SourceKind } from '../ssh-deploy/release-log.js'

export interface BackupSettings extends DatabaseConnection {
  /** Absolute directory on the server. */
  dir: string
  keep: number
  /** backup-verify: a restore into a scratch database, today's integrity checks, or none. */
  verify?: 'restore' | 'integrity' | 'none'
  /** backup-copy-to: runner brings the dump back to the runner, checksum compared. */
  copyTo?: 'none' | 'runner'
  /** backup-artifact: the runner's copy is uploaded as a workflow artifact before migrating. */
  artifact?: boolean
  /** backup-artifact-retention-days; 0 keeps the repository's default. */
  artifactRetentionDays?: number
}

export interface MigrateSettings {
  connection: ConnectionSettings
  app: AppSettings
  tool: Tool
  service: string
  mode: ServiceMode
  command: string
  downCommand: string
  direction: Direction
  target: string
  python: string
  backup?: BackupSettings
  planOnly: boolean
  restoreOnFailure: boolean
  /** The services stopped while a backup is restored: they would write to the database meanwhile. */
  restoreStopServices: string[]
  /** Seconds the restore waits for one lock before it fails (and changes nothing). */
  restoreLockTimeout: number
  /**
   * The one host that migrates, for every host of `connection`: they share
   * the database, so a second migration would race the first.
   */
  migrateHost: Endpoint
  /**
   * A down-migration to the revision recorded before a deploy (alembic's ids,
   * django's `app.migration` per app): it never goes below it, whatever `target` says.
   */
  downTo?: string
  /** The release the backup is recorded under in the release log; the newest there when absent. */
  releaseId?: string
  /**
   * With the deploy's target: swarm (the root action): the migration runs in a
   * one-off container of the service's image, from release `releaseId`'s kept stack file.
   */
  swarm?: { source: SourceKind }
}

const SERVICE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/
// A leading `-` only as a relative step (`-1`): `--sql` or `-x` would be an option of alembic's.
const ALEMBIC_TARGET = /^(?:-\d+|[A-Za-z0-9_+@:.][A-Za-z0-9_+@:.-]*)$/
const DJANGO_TARGET = /^[A-Za-z_][A-Za-z0-9_]*( [A-Za-z0-9_]+)?$/

export function readService(read: InputReader, name: string, fallback: string): string {
  const value = read(name).trim() || fallback
  if (!SERVICE.test(value))
    throw new InputError(name, `${JSON.stringify(value)} is not a Compose service name`)
  return value
}

function readTarget(read: InputReader, tool: Tool, direction: Direction): string {
  const target = read('target').trim()
  if (!target) return tool === 'alembic' ? (direction === 'up' ? 'head' : '-1') : ''
  if (tool === 'alembic' && !ALEMBIC_TARGET.test(target)) {
    throw new InputError(
      'target',
      `${JSON.stringify(target)} is not an Alembic revision`,
      'Use head, -1, base or a revision id'
    )
  }
  if (tool === 'django' && !DJANGO_TARGET.test(target)) {
    throw new InputError(
      'target',
      `${JSON.stringify(target)} is not "app" or "app migration"`,
      'For example: shop 0002 or shop zero'
    )
  }
  if (tool === 'command' || tool === 'service') {
    throw new InputError(
      'target',
      `is not used with tool: ${tool}`,
      'Put the target in command / down-command'
    )
  }
  return target
}

function readBackup(read: InputReader, appDir: string): BackupSettings | undefined {
  const kind = readChoice(read, 'backup', ['none', 'pg_dump'] as const, 'none')
  if (kind === 'none') return undefined
  const given = read('backup-database-url').trim()
  registerSecret(given)
  const { url: databaseUrl, password } = given ? splitDatabaseUrl(given) : { url: '', password: '' }
  registerSecret(password)
  if (isShortSecret(password))
    warnShortSecret('backup-database-url: its password', 'Give the database a longer password.')
  const service =
    databaseUrl && !read('backup-service').trim() ? '' : readService(read, 'backup-service', 'db')
  const database = read('backup-database').trim() || (databaseUrl ? 'database' : 'postgres')
  const user = read('backup-user').trim() || 'postgres'
  for (const [name, value] of [
    ['backup-database', database],
    ['backup-user', user]
  ]) {
    if (!NAME.test(value))
      throw new InputError(name, `${JSON.stringify(value)} is not a plain database or user name`)
  }
  const dirInput = read('backup-dir').trim() || 'backups'
  if (dirInput.split('/').includes('..'))
    throw new InputError('backup-dir', `${JSON.stringify(dirInput)} must not contain ..`)
  return {
    service,
    database,
    user,
    databaseUrl,
    password,
    dir: dirInput.startsWith('/')
      ? dirInput.replace(/\/+$/, '')
      : `${appDir}/${dirInput.replace(/\/+$/, '')}`,
    keep: readInteger(read, 'backup-keep', 10, 1, 1000),
    ...readBackupProof(read)
  }
}

/** Why GitHub's artifact service cannot be reached from this process; empty when it can. */
export function artifactServiceMissing(env: NodeJS.ProcessEnv = process.env): string {
  const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter(name => !env[name])
  return missing.length
    ? `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: workflow artifacts can be uploaded only from a GitHub Actions job`
    : ''
}

function readBackupProof(
  read: InputReader
): Pick<BackupSettings, 'verify' | 'copyTo' | 'artifact' | 'artifactRetentionDays'> {
  const verify = readChoice(
    read,
    'backup-verify',
    ['restore', 'integrity', 'none'] as const,
    'restore'
  )
  const copyTo = readChoice(read, 'backup-copy-to', ['none', 'runner'] as const, 'none')
  if (copyTo === 'runner' && verify === 'none')
    throw new InputError(
      'backup-copy-to',
      'runner copies a verified dump, but backup-verify is none',
      'Use backup-verify: restore (or integrity)'
    )
  const { artifact, artifactRetentionDays } = readBackupArtifact(read)
  if (artifact && copyTo !== 'runner')
    throw new InputError(
      'backup-artifact',
      `true uploads the runner's copy of the dump, but backup-copy-to is ${copyTo}`,
      'Add backup-copy-to: runner'
    )
  const missing = artifact ? artifactServiceMissing() : ''
  if (missing) throw new InputError('backup-artifact', missing)
  return { verify, copyTo, artifact, artifactRetentionDays }
}

function readBackupArtifact(
  read: InputReader
): Pick<BackupSettings, 'artifact' | 'artifactRetentionDays'> {
  const artifact = readBoolean(read, 'backup-artifact', false)
  const artifactRetentionDays = readInteger(read, 'backup-artifact-retention-days', 0, 1, 90)
  if (artifactRetentionDays && !artifact)
    throw new InputError(
      'backup-artifact-retention-days',
      'is set, but backup-artifact is not true',
      'Add backup-artifact: true, or leave it out'
    )
  return { artifact, artifactRetentionDays }
}

/** The names a host of `host` answers to: its label, and its address with or without user and port. */
function namesOf(e: Endpoint): string[] {
  const { host, port, username, label } = e.address
  const shown = host.includes(':') ? `[${host}]` : host
  return [label, shown, `${shown}:${port}`, `${username}@${shown}`, `${username}@${shown}:${port}`]
}

/** `migrate-host`: one of the hosts of `host`, the first when empty. */
export function readMigrateHost(read: InputReader, connection: ConnectionSettings): Endpoint {
  const given = read('migrate-host').trim()
  const targets = connection.targets
  if (!given) return targets[0]
  const matches = targets.filter(t => namesOf(t).includes(given))
  const listed = targets.map(t => t.address.label).join(', ')
  if (matches.length === 0) {
    throw new InputError(
      'migrate-host',
      `${JSON.stringify(given)} is not one of the hosts (${listed})`,
      'Name one of the hosts of the host input, as it is written there'
    )
  }
  if (matches.length > 1) {
    throw new InputError(
      'migrate-host',
      `${JSON.stringify(given)} names several hosts (${matches.map(t => t.address.label).join(', ')})`,
      'Write it as user@host:port'
    )
  }
  return matches[0]
}

/** `connection` is given by a caller that read the connection inputs already (the root action). */
export function readMigrateSettings(
  read: InputReader,
  connection: ConnectionSettings = readConnectionSettings(read)
): MigrateSettings {
  const app = readAppSettings(read)
  const tool = readChoice(
    read,
    'tool',
    ['django', 'alembic', 'command', 'service'] as const,
    'django'
  )
  const direction = readChoice(read, 'direction', ['up', 'down'] as const, 'up')
  const command = read('command').trim()
  const downCommand = read('down-command').trim()
  if (tool === 'command' && !command) {
    throw new InputError(
      'command',
      'is empty but tool is command',
      'Give the migration command, e.g. ./main migrate up'
    )
  }
  if (tool === 'command' && direction === 'down' && !downCommand) {
    throw new InputError(
      'down-command',
      'is empty but direction is down',
      'Give the command that reverts the migration'
    )
  }
  if (tool === 'service' && direction === 'down') {
    throw new InputError(
      'direction',
      'down is not possible with tool: service',
      'Use tool: command with a down-command'
    )
  }
  if (tool === 'django' && direction === 'down' && !read('target').trim()) {
    throw new InputError(
      'target',
      'is needed to migrate Django down',
      'Give "app migration", e.g. shop 0001 (or shop zero)'
    )
  }
  const service = readService(read, 'service', tool === 'service' ? 'migrator' : 'backend')
  const backup = readBackup(read, app.appDir)
  // Read (and so validated) also without a backup: an upload asked for must not pass unnoticed.
  if (!backup && readBackupArtifact(read).artifact)
    throw new InputError(
      'backup-artifact',
      'true uploads a dump, but backup is none',
      'Add backup: pg_dump and backup-copy-to: runner'
    )
  const python = read('python').trim()
  if (python && !/^[A-Za-z0-9_./-]+$/.test(python))
    throw new InputError('python', `${JSON.stringify(python)} is not an interpreter path`)
  return {
    connection,
    app,
    tool,
    service,
    mode: readChoice(read, 'mode', ['exec', 'run'] as const, 'exec'),
    command,
    downCommand,
    direction,
    target: readTarget(read, tool, direction),
    python,
    backup,
    planOnly: readBoolean(read, 'plan-only', false),
    ...readRestoreSettings(read, service, backup),
    migrateHost: readMigrateHost(read, connection)
  }
}
