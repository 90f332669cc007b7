import { describe, expect, it } from '@jest/globals'
import { collectstaticArgv } from '../../../src/commands/collectstatic.js'
import { inBackend } from '../../helpers/backend-service.js'

describe('collectstatic command', () => {
  it.each<[string, string, string]>([
    [
      'collectstatic',
      inBackend(collectstaticArgv('python3', { clear: false, settings: '' })),
      'cd /srv/app && docker compose --project-name app exec -T backend python3 manage.py collectstatic --noinput'
    ],
    [
      'with --clear',
      inBackend(collectstaticArgv('python3', { clear: true, settings: '' })),
      'cd /srv/app && docker compose --project-name app exec -T backend python3 manage.py collectstatic --noinput --clear'
    ],
    [
      'with a settings module',
      inBackend(collectstaticArgv('python', { clear: true, settings: 'mysite.settings.prod' })),
      'cd /srv/app && docker compose --project-name app exec -T backend python manage.py collectstatic --noinput --clear --settings mysite.settings.prod'
    ],
    [
      'a hostile settings value stays one argument',
      inBackend(collectstaticArgv('python3', { clear: false, settings: "it's $(touch pwned)\n" })),
      "cd /srv/app && docker compose --project-name app exec -T backend python3 manage.py collectstatic --noinput --settings 'it'\\''s $(touch pwned)\n'"
    ],
    [
      'a settings value with a leading - stays the value of --settings',
      inBackend(collectstaticArgv('python3', { clear: false, settings: '--help' })),
      'cd /srv/app && docker compose --project-name app exec -T backend python3 manage.py collectstatic --noinput --settings --help'
    ],
    [
      'a hostile interpreter path',
      inBackend(collectstaticArgv("/opt/it's/$(id)/python", { clear: false, settings: '' })),
      "cd /srv/app && docker compose --project-name app exec -T backend '/opt/it'\\''s/$(id)/python' manage.py collectstatic --noinput"
    ]
  ])('%s', (_name, shell, expected) => {
    expect(shell).toBe(expected)
  })

  it('builds its argv', () => {
    expect(collectstaticArgv('python3', { clear: true, settings: 'mysite.prod' })).toEqual([
      'python3',
      'manage.py',
      'collectstatic',
      '--noinput',
      '--clear',
      '--settings',
      'mysite.prod'
    ])
  })
})
