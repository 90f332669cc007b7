// Where a migration's commands run: in the Compose service on the host (exec,
// or a one-off `run`), or with target: swarm in a one-off container of the
// stack service's image on the manager, made from the live release's kept
// stack file.
import { posix } from 'node:path'
import { COMPOSE_V2, ComposeProject, inService, PYTHON_PROBE } from '../commands/compose.js'
import { fileCommands } from '../commands/files.js'
import { statePaths } from '../commands/state-paths.js'
import { swarmCommands } from '../commands/swarm.js'
import { RemoteCommand } from '../core/remote-command.js'
import type { HostContext } from '../core/fleet.js'
import {
  detectCompose,
  findPython,
  liveReleaseDir,
  probePython,
  projectFor
} from '../server/compose.js'
import { stackServiceRun } from '../server/stack-service.js'
import { stackFilePath } from '../ssh-deploy/swarm/stack-file.js'
import type { MigrateSettings } from './settings.js'

export interface MigrationPlace {
  /** The live release's Compose project (the backup's commands take it). */
  project: ComposeProject
  /** The command that runs `argv` where the migration runs; without argv, the service's own command. */
  inService(argv?: readonly string[]): RemoteCommand
  /** The service's python or python3. */
  python(): Promise<string>
}

export async function migrationPlace(
  host: HostContext,
  s: MigrateSettings
): Promise<MigrationPlace> {
  return s.swarm ? stackPlace(host, s, s.swarm) : composePlace(host, s)
}

async function composePlace(host: HostContext, s: MigrateSettings): Promise<MigrationPlace> {
  const binary = await detectCompose(host, s.app.composeChoice)
  const project = projectFor(s.app, binary, await liveReleaseDir(host, s.app.appDir))
  return {
    project,
    inService: argv =>
      argv ? inService(project, s.mode, s.service, argv) : inService(project, 'run', s.service, []),
    python: () => findPython(host, project, s.mode, s.service)
  }
}

async function stackPlace(
  host: HostContext,
  s: MigrateSettings,
  swarm: NonNullable<MigrateSettings['swarm']>
): Promise<MigrationPlace> {
  if (!s.releaseId)
    throw new Error('with target: swarm the migration needs the release the deploy made')
  const paths = statePaths(s.app.appDir)
  const releaseDir = posix.join(paths.releases, s.releaseId)
  const file = stackFilePath(s.app.appDir, swarm.source, s.releaseId, releaseDir)
  const text = (await host.check(fileCommands.read(file), { quiet: true })).stdout
  if (!text.trim()) throw new Error(`the stack file of release ${s.releaseId} is missing: ${file}`)
  const { run, command } = stackServiceRun(text, s.app.projectName, s.service)
  host.info(
    `The migration runs in one-off containers of ${s.service}'s image ${run.image}${run.network ? ` on network ${run.network}` : ''}, on the manager`
  )
  const project = projectFor(s.app, COMPOSE_V2, releaseDir)
  return {
    project,
    inService: argv => swarmCommands.oneOff(run, argv ?? command),
    python: () =>
      probePython(
        host,
        swarmCommands.oneOff(run, PYTHON_PROBE),
        `${s.service}'s image ${run.image}`
      )
  }
}
