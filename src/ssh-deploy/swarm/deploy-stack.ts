import { swarmCommands } from '../../commands/swarm.js'
import { fileCommands } from '../../commands/files.js'
import { Chosen, composeProject, HostDeploy, liveReleaseId } from '../host-deploy/context.js'
import { updateSnapshot } from './convergence.js'
import { keptStackFile, StackFile, stackFilePath, toStackFile, updateConfig } from './stack-file.js'
import { readStack } from './stack-state.js'

export interface DeployedStack {
  /** The stack file kept for this release on the server. */
  file: string
  services: string[]
  /** Each service's update snapshot from before the deploy, by service id. */
  before: Map<string, string>
  /** The ids of the tasks the engine kept from before the deploy: their failures are not this deploy's. */
  tasksBefore: Set<string>
}

/**
 * Resolves the release's compose files with the env file into one stack file,
 * keeps it for the release, and hands it to `docker stack deploy`. No undo of
 * its own: the started record's undo records the failure.
 */
export async function deployStack(
  d: HostDeploy,
  releaseDir: string,
  chosen: Chosen
): Promise<DeployedStack> {
  const { host, s, plan, journal } = d
  const stack = s.app.projectName
  const id = liveReleaseId(d, chosen)
  const file = stackFilePath(s.app.appDir, s.source, id, releaseDir)
  // A rollback deploys the stack file its release was deployed with: the same images, values and policy.
  const kept = chosen.target
    ? (await host.check(fileCommands.read(file), { quiet: true })).stdout
    : ''
  const stackFile = kept ? keptStackFile(kept) : await resolveStackFile(d, releaseDir, file)
  host.info(
    kept
      ? `Stack file of release ${id}, as it was deployed: ${file}`
      : `Stack file of release ${id}: ${file}`
  )
  if (stackFile.defaulted.length > 0) {
    const policy = Object.entries(updateConfig(s.swarmUpdate))
      .map(([key, value]) => `${key} ${String(value)}`)
      .join(', ')
    host.info(
      `No update_config in ${stackFile.defaulted.join(', ')}: applied ${policy} (and the same order for their rollback)`
    )
  }
  const earlier = await readStack(host, stack)
  const before = new Map(earlier.services.map(service => [service.ID, updateSnapshot(service)]))
  const tasksBefore = new Set(earlier.tasks.map(t => t.ID))
  await journal.change(
    `deploying stack ${stack} (release ${plan.releaseId})`,
    async () => void (await host.check(swarmCommands.deploy(file, stack, d.dockerConfig))),
    { containers: true, app: true }
  )
  return { file, services: stackFile.services, before, tasksBefore }
}

/** The compose files resolved with the env file, made a stack file and kept for the release. */
async function resolveStackFile(
  d: HostDeploy,
  releaseDir: string,
  file: string
): Promise<StackFile> {
  const project = { ...composeProject(d), dir: releaseDir }
  // Quiet: the resolved file holds the env file's values.
  const resolved = await d.host.check(swarmCommands.resolvedConfig(project), { quiet: true })
  const stackFile = toStackFile(resolved.stdout, d.s.app.projectName, d.s.swarmUpdate)
  await d.journal.change(`writing the stack file ${file}`, async () => {
    await d.host.check(swarmCommands.writeStackFile(file, stackFile.text), { quiet: true })
  })
  return stackFile
}
