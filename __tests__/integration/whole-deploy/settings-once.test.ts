// The root action reads its settings once: one run of it (in this process,
// helpers/in-process-action.ts) reads the key file once and warns about the
// unchecked host key once, however many stages it plans. The deploy reaches a
// port nothing listens on, so it fails before any server changes.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run, setOutputs } from '../../../src/whole-deploy/main.js'
import { readRootSettings } from '../../../src/whole-deploy/root-settings.js'
import { InProcessAction, throughEntry } from '../../helpers/in-process-action.js'
import { freePort } from '../../../testbed/ports.js'
import { generateKey } from '../../../testbed/keys.js'

let work: string
let action: InProcessAction

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'deploykit-root-settings-'))
  action = new InProcessAction(
    throughEntry(read => ({ readSettings: () => readRootSettings(read), run, setOutputs })),
    { GITHUB_SHA: 'f'.repeat(40), GITHUB_REPOSITORY: 'org/app' }
  )
})

afterAll(() => {
  action?.remove()
  if (work) rmSync(work, { recursive: true, force: true })
})

it('warns about the unchecked host key once in a run with every stage planned', async () => {
  const key = generateKey(work, 'id_deploy')
  const port = await freePort()
  const result = await action.runAction({
    host: `deploy@127.0.0.1:${port}`,
    'key-path': key.path,
    'insecure-skip-host-key-check': 'true',
    'connect-retries': '0',
    'connect-timeout': '5',
    'app-dir': '/srv/app',
    source: 'none',
    'migrate-tool': 'alembic',
    'migrate-service': 'api',
    'migrate-down-target': '-1',
    collectstatic: 'true',
    'smoke-urls': 'http://127.0.0.1/health',
    'smoke-from': 'server'
  })

  expect(result.failed).toBe(true)
  const warnings = result.output
    .split('\n')
    .filter(line => line.startsWith('::warning::insecure-skip-host-key-check is true'))
  expect(warnings).toHaveLength(1)
  expect(result.output).toContain('::error::Deploy refused before any change: ')
  expect(result.outputs['rolled-back']).toBe('false')
})
