import type { ComposeProject } from '../../commands/compose.js'
import { projectFor } from '../../server/compose.js'
import type { HostContext } from '../../core/fleet.js'
import type { ReleaseRecord } from '../release-log.js'
import type { DeploySettings } from '../settings.js'
import { statePaths } from '../../commands/state-paths.js'
import type { Journal } from './journal.js'
import type { DeployPlan } from './report.js'

/** The deploy of one host, as every step sees it. */
export interface HostDeploy {
  host: HostContext
  s: DeploySettings
  plan: DeployPlan
  /** The Compose the server has. */
  binary: readonly string[]
  paths: ReturnType<typeof statePaths>
  journal: Journal
  /** This deploy's Docker configuration with its registry login, for every Compose command. */
  dockerConfig?: string
}

/** The release that runs before this deploy, and the one a rollback goes back to. */
export interface Chosen {
  live?: ReleaseRecord
  target?: ReleaseRecord
}

/** The release this run makes live: the new one, or the one rolled back to. */
export function liveReleaseId(d: HostDeploy, { target }: Chosen): string {
  return target?.id ?? d.plan.releaseId
}

/** Where the compose files of the release are once it is live. */
export function composeProject(d: HostDeploy): ComposeProject {
  const project = projectFor(
    d.s.app,
    d.binary,
    d.s.source === 'upload' ? d.paths.current : d.s.app.appDir
  )
  return d.dockerConfig ? { ...project, env: { DOCKER_CONFIG: d.dockerConfig } } : project
}
