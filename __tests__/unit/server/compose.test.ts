import { describe, expect, it } from '@jest/globals'
import { readAppSettings } from '../../../src/core/app-settings.js'
import { projectFor } from '../../../src/server/compose.js'
import { mapInputs } from '../../../src/core/inputs.js'

describe('projectFor', () => {
  it('runs Compose in the release directory with the env file taken from app-dir', () => {
    const app = readAppSettings(
      mapInputs({
        'app-dir': '/srv/app',
        'compose-files': 'docker-compose.yml\ndeploy/prod.yml',
        'env-file': 'config/.env'
      })
    )
    expect(projectFor(app, ['docker', 'compose'], '/srv/app/releases/r2')).toEqual({
      binary: ['docker', 'compose'],
      dir: '/srv/app/releases/r2',
      files: ['docker-compose.yml', 'deploy/prod.yml'],
      envFile: '/srv/app/config/.env',
      projectName: 'app'
    })
  })

  it('passes no env file when none is set', () => {
    const app = readAppSettings(mapInputs({ 'app-dir': '/srv/app' }))
    expect(projectFor(app, ['docker-compose'], '/srv/app').envFile).toBeUndefined()
  })
})
