import { describe, expect, it } from '@jest/globals'
import { readAppSettings } from '../../../src/core/app-settings.js'
import { InputError } from '../../../src/core/errors.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { thrown } from '../../helpers/thrown.js'

const read = (values: Record<string, string>) => readAppSettings(mapInputs(values))

const refusal = (values: Record<string, string>) => thrown(() => read(values), InputError)

describe('readAppSettings', () => {
  it('takes the project name from the app directory and Compose as the server has it', () => {
    expect(read({ 'app-dir': '/srv/my.app/' })).toEqual({
      appDir: '/srv/my.app',
      composeFiles: [],
      envFile: undefined,
      projectName: 'myapp',
      composeChoice: 'auto'
    })
  })

  it('reads compose files one per line and the env file, relative to the app', () => {
    const s = read({
      'app-dir': '/srv/app',
      'compose-files': 'docker-compose.yml\n# the production overrides\ndeploy/prod.yml\n',
      'env-file': ' .env.production ',
      'project-name': 'Shop_Prod'
    })
    expect(s.composeFiles).toEqual(['docker-compose.yml', 'deploy/prod.yml'])
    expect(s.envFile).toBe('.env.production')
    expect(s.projectName).toBe('shop_prod')
  })

  it.each(['auto', 'docker compose', 'docker-compose'])('accepts compose-command %j', choice => {
    expect(read({ 'app-dir': '/srv/app', 'compose-command': choice }).composeChoice).toBe(choice)
  })

  it.each([
    [{ 'app-dir': '' }, 'app-dir', "Input 'app-dir': is empty. Set it to the app directory"],
    [{ 'app-dir': 'srv/app' }, 'app-dir', `Input 'app-dir': "srv/app" is not an absolute path`],
    [{ 'app-dir': '/srv/../etc' }, 'app-dir', '"/srv/../etc" is not an absolute path'],
    [
      { 'app-dir': '/srv/app', 'compose-files': 'docker-compose.yml\n/etc/compose.yml' },
      'compose-files',
      `Input 'compose-files': "/etc/compose.yml" must be a path inside the app directory. Give it relative to app-dir, without ..`
    ],
    [
      { 'app-dir': '/srv/app', 'compose-files': '../other/docker-compose.yml' },
      'compose-files',
      '"../other/docker-compose.yml" must be a path inside the app directory'
    ],
    [
      { 'app-dir': '/srv/app', 'env-file': 'config/../../.env' },
      'env-file',
      `Input 'env-file': "config/../../.env" must be a path inside the app directory`
    ],
    [
      { 'app-dir': '/srv/app', 'project-name': '-._' },
      'project-name',
      `Input 'project-name': "-._" is not a valid Compose project name. Use lower-case letters, digits, - and _`
    ],
    [
      { 'app-dir': '/srv/app', 'compose-command': 'podman-compose' },
      'compose-command',
      `Input 'compose-command': "podman-compose" is not one of auto, docker compose, docker-compose`
    ]
  ])('refuses %j, naming %s', (values, input, message) => {
    const err = refusal(values)
    expect(err.input).toBe(input)
    expect(err.message).toContain(message)
  })

  it('refuses an app directory whose name makes no project name, naming project-name', () => {
    expect(refusal({ 'app-dir': '/srv/_app' }).input).toBe('project-name')
  })

  it('shows the project name it made from app-dir when that name is refused', () => {
    expect(refusal({ 'app-dir': '/srv/_app' }).message).toContain('"_app"')
  })
})
