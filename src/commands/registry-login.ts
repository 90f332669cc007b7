import type { RemoteCommand } from '../core/remote-command.js'

/** The name mktemp gives the deploy's Docker configuration directory, in the deploy user's home. */
export const DOCKER_CONFIG_PREFIX = '.deploy-kit-docker.'
const MADE = /^\/(?:[^\0\n]*\/)?\.deploy-kit-docker\.[A-Za-z0-9]{10}$/

/** Whether `path` is one this deploy made (mkDockerConfig's output): the only kind it removes. */
export function isDeployDockerConfig(path: string): boolean {
  return MADE.test(path) && !path.split('/').includes('..')
}

/**
 * Makes a Docker configuration directory for this deploy alone: mode 700 in
 * the deploy user's home (not /tmp, which every user can list), and prints
 * its path. The CLI plugins of the user's usual configuration (Compose v2
 * installed in ~/.docker/cli-plugins) stay reachable through a link; its
 * logins and credential helpers do not come along, so the password is
 * stored nowhere else.
 */
export function mkDockerConfig(): RemoteCommand {
  return {
    argv: [
      'sh',
      '-c',
      [
        'set -e',
        'umask 077',
        'base=${DOCKER_CONFIG:-${HOME:?HOME is not set}/.docker}',
        `dir=$(mktemp -d "$HOME/${DOCKER_CONFIG_PREFIX}XXXXXXXXXX")`,
        'chmod 700 "$dir"',
        'if [ -d "$base/cli-plugins" ]; then ln -s "$base/cli-plugins" "$dir/cli-plugins"; fi',
        'printf "%s\\n" "$dir"'
      ].join('; ')
    ]
  }
}

/**
 * `docker login` into `dockerConfig` only. The password is the command's
 * standard input (`--password-stdin`): never in an argv, the environment or
 * the log.
 */
export function dockerLogin(
  dockerConfig: string,
  registry: string,
  username: string,
  password: string
): RemoteCommand {
  return {
    argv: ['docker', 'login', '--username', username, '--password-stdin', '--', registry],
    env: { DOCKER_CONFIG: dockerConfig },
    stdin: password
  }
}

/** Removes the deploy's Docker configuration directory, and the login stored in it. */
export function removeDockerConfig(dockerConfig: string): RemoteCommand {
  return { argv: ['rm', '-rf', '--', dockerConfig] }
}
