import { RemoteCommand } from '../core/remote-command.js'

export const COMPOSE_V2: readonly string[] = ['docker', 'compose']
export const COMPOSE_V1: readonly string[] = ['docker-compose']

/** A Compose invocation fixed to one project: the binary, files, env file and project name. */
export interface ComposeProject {
  binary: readonly string[]
  /** Directory the compose files are relative to (the release directory). */
  dir: string
  files: readonly string[]
  /** Absolute path of the env file, or undefined. */
  envFile?: string
  projectName: string
  /** Environment of every Compose command of the project (DOCKER_CONFIG of a deploy's registry login). */
  env?: Readonly<Record<string, string>>
}

/** `docker compose -p NAME -f FILE … --env-file ENV <args>`, run in the release directory. */
export function composeCommand(project: ComposeProject, args: readonly string[]): RemoteCommand {
  return {
    cwd: project.dir,
    ...(project.env ? { env: project.env } : {}),
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

/** Prints the path of python, else of python3, where it runs. */
export const PYTHON_PROBE: readonly string[] = [
  'sh',
  '-c',
  'command -v python || command -v python3'
]

export const composeCommands = {
  /** Exits 0 when this Compose binary works on the server. */
  version: (binary: readonly string[]): RemoteCommand => ({ argv: [...binary, 'version'] }),
  /** Prints the path of python, else of python3, as the service sees it. */
  findPython: (project: ComposeProject, mode: ServiceMode, service: string): RemoteCommand =>
    inService(project, mode, service, PYTHON_PROBE),
  /** The project's service names, one a line. */
  services: (project: ComposeProject): RemoteCommand =>
    composeCommand(project, ['config', '--services']),
  /** Ids of the services' containers, one per line. */
  containerIds: (project: ComposeProject, services: readonly string[]): RemoteCommand =>
    composeCommand(project, ['ps', '-q', ...services]),
  pull: (project: ComposeProject, services: readonly string[]): RemoteCommand =>
    composeCommand(project, ['pull', ...services]),
  build: (project: ComposeProject, services: readonly string[]): RemoteCommand =>
    composeCommand(project, ['build', ...services]),
  /** Starts what is not running; a container that runs is not recreated. */
  startMissing: (project: ComposeProject): RemoteCommand =>
    composeCommand(project, ['up', '-d', '--no-recreate']),
  up: (project: ComposeProject, services: readonly string[]): RemoteCommand =>
    composeCommand(project, ['up', '-d', ...services]),
  /** One service alone, its dependencies left as they are. */
  upAlone: (project: ComposeProject, service: string): RemoteCommand =>
    composeCommand(project, ['up', '-d', '--no-deps', service]),
  /** `--no-recreate` keeps the running container as it is; only the missing ones are created. */
  scale: (project: ComposeProject, service: string, count: number): RemoteCommand =>
    composeCommand(project, [
      'up',
      '--detach',
      '--no-deps',
      '--no-recreate',
      '--scale',
      `${service}=${count}`,
      service
    ]),
  start: (project: ComposeProject, service: string): RemoteCommand =>
    composeCommand(project, ['up', '--detach', '--no-deps', service]),
  /** Runs the proxy's reload script inside its service. */
  reload: (project: ComposeProject, proxy: string, script: string): RemoteCommand =>
    composeCommand(project, ['exec', '-T', proxy, 'sh', '-c', script])
}
