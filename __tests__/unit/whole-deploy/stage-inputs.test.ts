import { describe, expect, it } from '@jest/globals'
import { mapInputs } from '../../../src/core/inputs.js'
import {
  collectstaticReader,
  migrateReader,
  smokeReader,
  stageReader
} from '../../../src/whole-deploy/stage-inputs.js'

/** The root action's inputs: every name set to its own name, so a test sees which one a stage read. */
const ROOT = mapInputs(
  Object.fromEntries(
    [
      'host',
      'app-dir',
      'timeout',
      'service',
      'migrate-tool',
      'migrate-service',
      'migrate-mode',
      'migrate-command',
      'migrate-down-command',
      'migrate-down-target',
      'backup',
      'collectstatic-service',
      'collectstatic-clear',
      'smoke-urls',
      'smoke-expect-status',
      'smoke-expect-json',
      'smoke-wait-timeout',
      'headers',
      'retry-delay'
    ].map(name => [name, `<${name}>`])
  )
)

const reads = (read: (name: string) => string, names: string[]) =>
  Object.fromEntries(names.map(name => [name, read(name)]))

describe('stageReader', () => {
  it('reads fixed values first, then renamed inputs, then the name as it is', () => {
    const read = stageReader(ROOT, { service: 'migrate-service', tool: 'backup' }, { tool: 'x' })
    expect(reads(read, ['tool', 'service', 'app-dir', 'unset'])).toEqual({
      tool: 'x',
      service: '<migrate-service>',
      'app-dir': '<app-dir>',
      unset: ''
    })
  })

  it('passes the read options through to the renamed input', () => {
    const read = stageReader(mapInputs({ 'smoke-urls': '  http://a/  ' }), { urls: 'smoke-urls' })
    expect(read('urls', { keepWhitespace: true })).toBe('  http://a/  ')
    expect(read('urls')).toBe('http://a/')
  })
})

describe('migrateReader', () => {
  it("reads migrate's inputs under migrate-, up to the latest with no plan-only", () => {
    expect(
      reads(migrateReader(ROOT), [
        'tool',
        'service',
        'mode',
        'command',
        'down-command',
        'direction',
        'target',
        'plan-only',
        'backup',
        'host'
      ])
    ).toEqual({
      tool: '<migrate-tool>',
      service: '<migrate-service>',
      mode: '<migrate-mode>',
      command: '<migrate-command>',
      'down-command': '<migrate-down-command>',
      direction: 'up',
      target: '',
      'plan-only': 'false',
      backup: '<backup>',
      host: '<host>'
    })
  })

  it('migrates down to migrate-down-target with the backup settings of the deploy', () => {
    expect(
      reads(migrateReader(ROOT, 'down'), ['direction', 'target', 'plan-only', 'backup'])
    ).toEqual({
      direction: 'down',
      target: '<migrate-down-target>',
      'plan-only': 'false',
      backup: '<backup>'
    })
  })
})

describe('collectstaticReader', () => {
  it('reads service and clear under collectstatic-, always in the running service and its own settings', () => {
    expect(reads(collectstaticReader(ROOT), ['service', 'clear', 'mode', 'settings'])).toEqual({
      service: '<collectstatic-service>',
      clear: '<collectstatic-clear>',
      mode: 'exec',
      settings: ''
    })
  })
})

describe('smokeReader', () => {
  const ROOT_INPUTS_OF_ITS_OWN = [
    'timeout',
    'headers',
    'expect-body',
    'max-attempts',
    'retry-delay',
    'max-latency-ms',
    'follow-redirects',
    'insecure-tls'
  ]

  it('reads the smoke- inputs and none of the names the root action uses for other things', () => {
    const read = smokeReader(ROOT)
    expect(
      reads(read, ['urls', 'expect-status', 'expect-json', 'wait-timeout', 'host', 'app-dir'])
    ).toEqual({
      urls: '<smoke-urls>',
      'expect-status': '<smoke-expect-status>',
      'expect-json': '<smoke-expect-json>',
      'wait-timeout': '<smoke-wait-timeout>',
      host: '',
      'app-dir': '<app-dir>'
    })
    expect(reads(read, ROOT_INPUTS_OF_ITS_OWN)).toEqual(
      Object.fromEntries(ROOT_INPUTS_OF_ITS_OWN.map(name => [name, '']))
    )
  })

  it.each(['server', 'container:web'])('from %s checks on the deploy hosts', from => {
    const read = smokeReader(mapInputs({ host: 'deploy@web1', 'smoke-from': from }))
    expect(read('host')).toBe('deploy@web1')
    expect(read('from')).toBe(from)
  })
})
