import { posix } from 'node:path'
import { InputError } from './errors.js'
import type { HostContext } from './fleet.js'
import { InputReader, readChoice, readLines } from './inputs.js'
import { RemoteCommand } from './remote-command.js'

export const COMPOSE_CHOICES = ['auto', 'docker compose', 'docker-compose'] as const
export type ComposeChoice = (typeof COMPOSE_CHOICES)[number]

/** The server-side app: where it lives and how Compose is called for it. */
export interface AppSettings {
  /** Absolute directory of the app on the server. */
  appDir: string
  /** Compose files relative to the release directory; empty = Compose's default file. */
  composeFiles: string[]
  /** Env file relative to appDir, or undefined. */
  envFile?: string
  projectName: string
  composeChoice: ComposeChoice
}

const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/

function relativePath(value: string, input: string): string {
  if (value.startsWith('/') || value.split('/').includes('..')) {
    throw new InputError(
      input,
      `${JSON.stringify(value)} must be a path inside the app directory`,
      'Give it relative to app-dir, without ..'
    )
  }
  return value
}

export function readAppSettings(read: InputReader): AppSettings {
  const appDir = read('app-dir').trim().replace(/\/+$/, '')
  if (!appDir)
    throw new InputError(
      'app-dir',
      'is empty',
      'Set it to the app directory on the server, e.g. /srv/app'
    )
  if (!appDir.startsWith('/') || appDir.split('/').includes('..')) {
    throw new InputError(
      'app-dir',
      `${JSON.stringify(appDir)} is not an absolute path`,
      'Use a full path such as /srv/app'
    )
  }
  const composeFiles = readLines(read, 'compose-files').map(f => relativePath(f, 'compose-files'))
  const envFile = read('env-file').trim()
    ? relativePath(read('env-file').trim(), 'env-file')
    : undefined
  const projectName = (read('project-name').trim() || posix.basename(appDir))
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
  if (!PROJECT_NAME.test(projectName)) {
    throw new InputError(
      'project-name',
      `${JSON.stringify(read('project-name'))} is not a valid Compose project name`,
      'Use lower-case letters, digits, - and _'
    )
  }
  return {
    appDir,
    composeFiles,
    envFile,
    projectName,
    composeChoice: readChoice(read, 'compose-command', COMPOSE_CHOICES, 'auto')
  }
}

/** A Compose invocation fixed to one project: the binary, files, env file and project name. */
export interface ComposeProject {
  binary: readonly string[]
  /** Directory the compose files are relative to (the release directory). */
  dir: string
  files: readonly string[]
  /** Absolute path of the env file, or undefined. */
  envFile?: string
  projectName: string
}

/** `docker compose -p NAME -f FILE … --env-file ENV <args>`, run in the release directory. */
export function composeCommand(project: ComposeProject, args: readonly string[]): RemoteCommand {
  return {
    cwd: project.dir,
    argv: [
      ...project.binary,
      '--project-name',
      project.projectName,
      ...project.files.flatMap(f => ['--file', f]),
      ...(project.envFile ? ['--env-file', project.envFile] : []),
      ...args
    ]
  }
}

export const COMPOSE_V2: readonly string[] = ['docker', 'compose']
export const COMPOSE_V1: readonly string[] = ['docker-compose']

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
    const probe = await host.run({ argv: [...binary, 'version'] }, { quiet: true })
    if (probe.code === 0) return binary
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
  return (await host.run({ argv: ['test', '-L', current] }, { quiet: true })).code === 0
    ? current
    : appDir
}

export type ServiceMode = 'exec' | 'run'

/**
 * A command inside a Compose service: `exec -T` in the running container, or
 * `run --rm -T` in a new one. Each of `envNames` is passed as `-e NAME`
 * without a value, so Compose takes the value from its own environment and
 * it is never on a command line.
 */
export function inService(
  project: ComposeProject,
  mode: ServiceMode,
  service: string,
  argv: readonly string[],
  envNames: readonly string[] = []
): RemoteCommand {
  const env = envNames.flatMap(name => ['-e', name])
  return composeCommand(
    project,
    mode === 'exec'
      ? ['exec', '-T', ...env, service, ...argv]
      : ['run', '--rm', '-T', ...env, service, ...argv]
  )
}

/** Debian-based images often have python3 and no python: use whichever the service has. */
export async function findPython(
  host: HostContext,
  project: ComposeProject,
  mode: ServiceMode,
  service: string
): Promise<string> {
  const probe = await host.run(
    inService(project, mode, service, ['sh', '-c', 'command -v python || command -v python3']),
    { quiet: true }
  )
  const found = probe.stdout.trim().split('\n').pop() ?? ''
  if (probe.code !== 0 || !found) {
    throw new Error(
      `no python or python3 in service ${service} (${mode}); set the python input to the interpreter's path`
    )
  }
  return found
}
