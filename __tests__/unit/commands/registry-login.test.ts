import { describe, expect, it } from '@jest/globals'
import {
  dockerLogin,
  isDeployDockerConfig,
  mkDockerConfig,
  removeDockerConfig
} from '../../../src/commands/registry-login.js'
import { shellLaunch } from '../../../src/core/remote-command.js'
import { commandTable, DASH, NL, Q, SUB } from '../../helpers/command-text.js'

const DIR = '/home/deploy/.deploy-kit-docker.AbCdEf0123'

commandTable('registry login', [
  [
    'make the directory of this deploy',
    mkDockerConfig(),
    `sh -c 'set -e; umask 077; base=\${DOCKER_CONFIG:-\${HOME:?HOME is not set}/.docker}; dir=$(mktemp -d "$HOME/.deploy-kit-docker.XXXXXXXXXX"); chmod 700 "$dir"; if [ -d "$base/cli-plugins" ]; then ln -s "$base/cli-plugins" "$dir/cli-plugins"; fi; printf "%s\\n" "$dir"'`
  ],
  [
    'login: the user and registry as data, the password nowhere on the line',
    dockerLogin(DIR, 'ghcr.io', 'octo', 'ghp_secret'),
    `export DOCKER_CONFIG=${DIR} && docker login --username octo --password-stdin -- ghcr.io`
  ],
  [
    'login with hostile values',
    dockerLogin(`/srv/${Q}`, DASH, `${SUB}${NL}`, Q),
    `export DOCKER_CONFIG='/srv/it'\\''s' && docker login --username '$(touch /tmp/pwned)a\nb' --password-stdin -- -rf`
  ],
  ['remove', removeDockerConfig(DIR), `rm -rf -- ${DIR}`],
  [
    'remove a hostile path',
    removeDockerConfig(`/srv/${SUB}`),
    `rm -rf -- '/srv/$(touch /tmp/pwned)'`
  ]
])

describe('registry login', () => {
  it('sends the password as standard input only', () => {
    const launch = shellLaunch(dockerLogin(DIR, 'ghcr.io', 'octo', 'ghp_secret'))
    expect(launch.script).not.toContain('ghp_secret')
    expect(launch.stdin).toBe('ghp_secret')
  })

  it.each([
    [DIR, true],
    ['/root/.deploy-kit-docker.0123456789', true],
    ['/home/deploy/.deploy-kit-docker.short', false],
    ['/home/deploy/.docker', false],
    ['/home/../.deploy-kit-docker.AbCdEf0123', false],
    ['relative/.deploy-kit-docker.AbCdEf0123', false],
    ['/', false],
    ['', false],
    [`/home/a\nb/.deploy-kit-docker.AbCdEf0123`, false]
  ])('takes %j as a directory it made: %s', (path, made) => {
    expect(isDeployDockerConfig(path)).toBe(made)
  })
})
