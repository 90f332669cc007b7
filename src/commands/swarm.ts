import { RemoteCommand } from '../core/remote-command.js'
import { composeCommand, ComposeProject } from './compose.js'

/**
 * A one-off container of a stack service's image on the manager, as
 * `docker compose run --rm` makes one of a Compose service: the service's
 * environment, first network (attachable), mounts, working directory, user
 * and entrypoint.
 */
export interface OneOffRun {
  image: string
  network?: string
  /** `--mount` values. */
  mounts: readonly string[]
  workingDir?: string
  user?: string
  /** The service's entrypoint: its first word is `--entrypoint`, the rest go before the command. */
  entrypoint?: readonly string[]
  /** The service's environment as an env file's lines: read from stdin, never in an argv or a file. */
  envText: string
}

/** The label Docker puts on every service of a stack, naming the stack. */
export const STACK_LABEL = 'com.docker.stack.namespace'

/** Docker Swarm on the manager: the stack file, the stack's services and their tasks. */
export const swarmCommands = {
  /** Prints this engine's swarm role: `active` and `true` on a manager. */
  nodeState: (): RemoteCommand => ({
    argv: ['docker', 'info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}']
  }),
  /** The compose files with the env file's values filled in, as one JSON document. */
  resolvedConfig: (project: ComposeProject): RemoteCommand =>
    composeCommand(project, ['config', '--format', 'json']),
  /** Writes the resolved stack file, readable by its owner only (it holds the env file's values). */
  writeStackFile: (path: string, text: string): RemoteCommand => ({
    argv: [
      'sh',
      '-c',
      'umask 077; set -e; mkdir -p -- "$(dirname -- "$1")"; ' +
        'rm -f -- "$1.deploykit-tmp"; cat > "$1.deploykit-tmp"; chmod 600 "$1.deploykit-tmp"; mv -f -- "$1.deploykit-tmp" "$1"',
      'sh',
      path
    ],
    stdin: text
  }),
  /**
   * `--detach=true`: the CLI's own wait hangs on a completed job and exits 0
   * after the engine rolled an update back, so deploy-kit waits itself.
   * `dockerConfig`: the deploy's registry login, which `--with-registry-auth`
   * hands to the nodes.
   */
  deploy: (stackFile: string, stack: string, dockerConfig?: string): RemoteCommand => ({
    ...(dockerConfig ? { env: { DOCKER_CONFIG: dockerConfig } } : {}),
    argv: [
      'docker',
      'stack',
      'deploy',
      '--with-registry-auth',
      '--prune',
      '--detach=true',
      '--compose-file',
      stackFile,
      '--',
      stack
    ]
  }),
  /** Ids of the stack's services, one a line. */
  serviceIds: (stack: string): RemoteCommand => ({
    argv: ['docker', 'service', 'ls', '--quiet', '--filter', `label=${STACK_LABEL}=${stack}`]
  }),
  /** Plain `docker service inspect`: the JSON has UpdateStatus only when the engine set it. */
  inspectServices: (ids: readonly string[]): RemoteCommand => ({
    argv: ['docker', 'service', 'inspect', '--', ...ids]
  }),
  /** Ids of every task of the services the engine still remembers, one a line. */
  taskIds: (services: readonly string[]): RemoteCommand => ({
    argv: ['docker', 'service', 'ps', '--quiet', '--no-trunc', '--', ...services]
  }),
  /** Plain `docker inspect` of tasks: state, error, exit code and the spec each one runs. */
  inspectTasks: (taskIds: readonly string[]): RemoteCommand => ({
    argv: ['docker', 'inspect', '--type', 'task', '--', ...taskIds]
  }),
  /** The service's tasks that failed, as the engine words it, one a line after the task's id. */
  failedTasks: (service: string): RemoteCommand => ({
    argv: [
      'docker',
      'service',
      'ps',
      '--no-trunc',
      '--filter',
      'desired-state=shutdown',
      '--format',
      '{{.ID}} {{.Name}} {{.Image}} {{.CurrentState}}: {{.Error}}',
      '--',
      service
    ]
  }),
  /**
   * Runs `argv` in a one-off container of `run`, removed when it ends; exits
   * with the container's code. The CLI reads the environment from its stdin
   * (`--env-file /dev/stdin`); the container gets no stdin.
   */
  oneOff: (run: OneOffRun, argv: readonly string[]): RemoteCommand => {
    const [entry, ...entryArgs] = run.entrypoint ?? []
    return {
      argv: [
        'docker',
        'run',
        '--rm',
        '--env-file=/dev/stdin',
        // `--flag=value`: a value that starts with a dash stays a value.
        '--label=deploy-kit.one-off=true',
        ...(run.network ? [`--network=${run.network}`] : []),
        ...run.mounts.map(m => `--mount=${m}`),
        ...(run.workingDir ? [`--workdir=${run.workingDir}`] : []),
        ...(run.user ? [`--user=${run.user}`] : []),
        ...(entry !== undefined ? [`--entrypoint=${entry}`] : []),
        '--',
        run.image,
        ...entryArgs,
        ...argv
      ],
      stdin: run.envText
    }
  },
  /** The last lines a task wrote. */
  taskLogs: (taskId: string, lines = 20): RemoteCommand => ({
    argv: ['docker', 'service', 'logs', '--no-task-ids', '--tail', String(lines), '--', taskId]
  })
}
