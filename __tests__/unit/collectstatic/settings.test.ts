import { describe, expect, it } from '@jest/globals'
import { readCollectstaticSettings } from '../../../src/collectstatic/settings.js'
import { InputError } from '../../../src/core/errors.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { CONNECTION_INPUTS } from '../../helpers/connection-inputs.js'
import { thrown } from '../../helpers/thrown.js'

const read = (extra: Record<string, string> = {}) =>
  readCollectstaticSettings(mapInputs({ ...CONNECTION_INPUTS, ...extra }))

const refusal = (extra: Record<string, string>) => thrown(() => read(extra), InputError)

describe('readCollectstaticSettings', () => {
  it('runs in the backend service with its own settings and Python unless told otherwise', () => {
    expect(read()).toMatchObject({
      service: 'backend',
      mode: 'exec',
      clear: false,
      settings: '',
      python: '',
      app: { appDir: '/srv/app', projectName: 'app' }
    })
    expect(
      read({
        service: 'web',
        mode: 'run',
        clear: 'true',
        settings: 'mysite.settings.production',
        python: '/venv/bin/python'
      })
    ).toMatchObject({
      service: 'web',
      mode: 'run',
      clear: true,
      settings: 'mysite.settings.production',
      python: '/venv/bin/python'
    })
  })

  it('uses the connection it is given rather than reading one', () => {
    const connection = read().connection
    const s = readCollectstaticSettings(mapInputs({ 'app-dir': '/srv/app' }), connection)
    expect(s.connection).toBe(connection)
  })

  it.each([
    [
      { settings: 'mysite.settings; rm -rf /' },
      'settings',
      `Input 'settings': "mysite.settings; rm -rf /" is not a Python module path. For example: mysite.settings.production`
    ],
    [
      { python: 'python3 -c boom' },
      'python',
      `Input 'python': "python3 -c boom" is not an interpreter path`
    ],
    [{ service: 'web app' }, 'service', `Input 'service': "web app" is not a Compose service name`],
    [{ mode: 'up' }, 'mode', `Input 'mode': "up" is not one of exec, run`],
    [{ clear: 'maybe' }, 'clear', `Input 'clear': "maybe" is not a boolean`]
  ])('refuses %j, naming %s', (extra, input, message) => {
    const err = refusal(extra)
    expect(err.input).toBe(input)
    expect(err.message).toContain(message)
  })
})
