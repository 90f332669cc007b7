// Commands run inside a Compose service, as the migrate and collectstatic
// stages send them, for tests that pin the whole shell text.
import { ComposeProject, inService } from '../../src/commands/compose.js'
import { toShell } from '../../src/core/remote-command.js'

export const PROJECT: ComposeProject = {
  binary: ['docker', 'compose'],
  dir: '/srv/app',
  files: [],
  projectName: 'app'
}

/** The shell text of `argv` run in the running container of service `backend`. */
export function inBackend(argv: readonly string[] | undefined): string {
  return toShell(inService(PROJECT, 'exec', 'backend', argv ?? []))
}
