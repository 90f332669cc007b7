import { ComposeProject, inService } from './compose.js'
import type { RemoteCommand } from '../core/remote-command.js'

/** How a PostgreSQL client reaches the database: in a Compose service, or on the server by URL. */
export interface DatabaseConnection {
  /** Compose service running PostgreSQL; empty = the client on the server itself with databaseUrl. */
  service: string
  database: string
  user: string
  /** backup-database-url without its password; the client connects with it, in the service or on the server. */
  databaseUrl: string
  /** The password of backup-database-url: it reaches the server only as PGPASSWORD, on standard input. */
  password: string
}

export const PASSWORD_VAR = 'PGPASSWORD'

/**
 * A PostgreSQL client (pg_dump, psql) connected to the database. A password
 * travels only as PGPASSWORD, a secret env value, which the transport sends
 * on standard input; inside a service Compose passes it on from its own
 * environment.
 */
export function postgresClient(
  db: DatabaseConnection,
  project: ComposeProject,
  argv: readonly string[]
): RemoteCommand {
  const target = db.databaseUrl
    ? [`--dbname=${db.databaseUrl}`]
    : ['-U', db.user, '-d', db.database]
  const secret: Pick<RemoteCommand, 'env' | 'secretEnv'> = db.password
    ? { env: { [PASSWORD_VAR]: db.password }, secretEnv: [PASSWORD_VAR] }
    : {}
  if (!db.service) return { argv: [...argv, ...target], ...secret }
  return {
    ...inService(
      project,
      'exec',
      db.service,
      [...argv, ...target],
      db.password ? [PASSWORD_VAR] : []
    ),
    ...secret
  }
}
