import type { FleetHost } from './fleet-hosts.js'
import { DEBIAN_IMAGE } from './images.js'
import { waitFor } from './run.js'

/** The port a fleet host publishes its PostgreSQL on, at its own address. */
export const FLEET_DB_PORT = 5432

/**
 * A PostgreSQL in `host`'s engine (the Debian image's PostgreSQL 15), its port
 * published on the host's address, trusting the `clients` networks (CIDRs) and
 * its own. Returns the container's id; the host's engine goes with the host.
 */
export async function startFleetDatabase(
  host: FleetHost,
  clients: readonly string[]
): Promise<string> {
  const conf = '/etc/postgresql/15/main'
  const hba = [
    'local all all peer',
    ...clients.map(cidr => `host all all ${cidr} trust`),
    'host all all samenet trust'
  ]
  const { stdout, code, stderr } = await host.engine.docker([
    'run',
    '-d',
    '--user',
    'postgres',
    '-p',
    `${host.address}:${FLEET_DB_PORT}:5432`,
    DEBIAN_IMAGE,
    'sh',
    '-c',
    `printf '%s\\n' ${hba.map(l => `'${l}'`).join(' ')} > ${conf}/pg_hba.conf && ` +
      `exec /usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main ` +
      `-c config_file=${conf}/postgresql.conf -c 'listen_addresses=*' -c ssl=off`
  ])
  if (code !== 0) throw new Error(`starting PostgreSQL: ${stderr}`)
  const container = stdout.trim()
  await waitFor(
    async () =>
      (await host.engine.docker(['exec', container, 'pg_isready', '-q', '-U', 'postgres'])).code ===
      0,
    60_000,
    'the shared PostgreSQL to accept connections'
  )
  return container
}
