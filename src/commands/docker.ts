import { RemoteCommand } from '../core/remote-command.js'

export const dockerCommands = {
  /**
   * Plain `docker inspect` (its JSON has every field on every engine version;
   * templates fail on a missing .State.Health), after the server's clock in
   * whole seconds (read first, so it is never later than the inspection).
   */
  inspect: (ids: readonly string[]): RemoteCommand => ({
    argv: ['sh', '-c', 'date -u +%s && exec docker inspect -- "$@"', 'sh', ...ids]
  }),
  /** Containers of one service, found by Compose's labels (the same in v1 and v2), without `run` one-offs. */
  serviceContainers: (projectName: string, service: string, all: boolean): RemoteCommand => ({
    argv: [
      'docker',
      'ps',
      ...(all ? ['--all'] : []),
      '--quiet',
      '--no-trunc',
      '--filter',
      `label=com.docker.compose.project=${projectName}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
      '--filter',
      'label=com.docker.compose.oneoff=False'
    ]
  }),
  /** Every container of a project, stopped ones too (`compose ps -q` of v2 lists running ones only), without `run` one-offs. */
  projectContainers: (projectName: string): RemoteCommand => ({
    argv: [
      'docker',
      'ps',
      '--all',
      '--quiet',
      '--no-trunc',
      '--filter',
      `label=com.docker.compose.project=${projectName}`,
      '--filter',
      'label=com.docker.compose.oneoff=False'
    ]
  }),
  logs: (id: string, lines = 50): RemoteCommand => ({
    argv: ['docker', 'logs', '--tail', String(lines), id]
  }),
  stop: (id: string, graceMs: number): RemoteCommand => ({
    argv: ['docker', 'stop', '-t', String(Math.ceil(graceMs / 1000)), id]
  }),
  remove: (id: string): RemoteCommand => ({ argv: ['docker', 'rm', '--force', id] }),
  tag: (image: string, name: string): RemoteCommand => ({
    argv: ['docker', 'tag', image, name]
  }),
  /** The image's content id; exits non-zero when the server does not have it. */
  imageId: (image: string): RemoteCommand => ({
    argv: ['docker', 'image', 'inspect', '--format', '{{.Id}}', image]
  }),
  /** Tags of one repository, one per line. */
  imageTags: (repository: string): RemoteCommand => ({
    argv: ['docker', 'image', 'ls', '--format', '{{.Tag}}', repository]
  }),
  removeImage: (image: string): RemoteCommand => ({ argv: ['docker', 'image', 'rm', image] })
}
