// What the actions find out on a server before they act on it: which Compose it
// has, where the live release is, which python a service runs. Built on the
// commands of src/commands/, run through the host's transport.
import { posix } from 'node:path'
import {
  COMPOSE_V1,
  COMPOSE_V2,
  composeCommands,
  ComposeProject,
  ServiceMode
} from '../commands/compose.js'
import { fileCommands } from '../commands/files.js'
import { AppSettings, ComposeChoice } from '../core/app-settings.js'
import { debugLine } from '../core/debug-log.js'
import type { HostContext } from '../core/fleet.js'
import type { RemoteCommand } from '../core/remote-command.js'

/** Finds the Compose the server has: v2 (`docker compose`) first, then v1 (`docker-compose`). */
export async function detectCompose(
  host: HostContext,
  choice: ComposeChoice
): Promise<readonly string[]> {
  const candidates =
    choice === 'auto'
      ? [COMPOSE_V2, COMPOSE_V1]
      : [choice === 'docker compose' ? COMPOSE_V2 : COMPOSE_V1]
  for (const binary of candidates) {
    const probe = await host.run(composeCommands.version(binary), { quiet: true })
    if (probe.code === 0) {
      debugLine(
        `${host.label}: compose command \`${binary.join(' ')}\` (compose-command: ${choice})`
      )
      return binary
    }
  }
  throw new Error(
    choice === 'auto'
      ? 'neither `docker compose` nor `docker-compose` works on the server; install Docker Compose there'
      : `\`${choice}\` does not work on the server (compose-command: ${choice})`
  )
}

export function projectFor(
  app: AppSettings,
  binary: readonly string[],
  releaseDir: string
): ComposeProject {
  return {
    binary,
    dir: releaseDir,
    files: app.composeFiles,
    envFile: app.envFile ? posix.join(app.appDir, app.envFile) : undefined,
    projectName: app.projectName
  }
}

/** Where the live release's compose files are: `<app-dir>/current` after `source: upload`, else app-dir. */
export async function liveReleaseDir(host: HostContext, appDir: string): Promise<string> {
  const current = posix.join(appDir, 'current')
  return (await host.run(fileCommands.isSymlink(current), { quiet: true })).code === 0
    ? current
    : appDir
}

/** Debian-based images often have python3 and no python: use whichever the service has. */
export async function findPython(
  host: HostContext,
  project: ComposeProject,
  mode: ServiceMode,
  service: string
): Promise<string> {
  return probePython(
    host,
    composeCommands.findPython(project, mode, service),
    `service ${service} (${mode})`
  )
}

/** The python path a probe (PYTHON_PROBE where it runs) printed; `where` names the place in the error. */
export async function probePython(
  host: HostContext,
  probeCommand: RemoteCommand,
  where: string
): Promise<string> {
  const probe = await host.run(probeCommand, { quiet: true })
  const found = probe.stdout.trim().split('\n').pop() ?? ''
  if (probe.code !== 0 || !found) {
    throw new Error(
      `no python or python3 in ${where}; set the python input to the interpreter's path`
    )
  }
  return found
}
