import { describe, expect, it } from '@jest/globals'
import { maskSecrets } from '../../../src/core/secrets.js'
import {
  describeEnvValues,
  envFileUpdates,
  registerEnvSecrets,
  shownValue
} from '../../../src/ssh-deploy/env-values.js'
import { captureOutput } from '../../helpers/capture-output.js'

const IMAGE = `ghcr.io/org/backend@sha256:${'a'.repeat(64)}`

describe('registerEnvSecrets', () => {
  it('masks every env value and warns, by name, about one too short to be a secret', async () => {
    const { output } = await captureOutput(async () =>
      registerEnvSecrets([
        ['SECRET_KEY', 'django-insecure-0123456789'],
        ['DEBUG', '1']
      ])
    )
    const lines = output.split('\n')
    expect(lines).toContain('::add-mask::django-insecure-0123456789')
    expect(lines).toContain('::add-mask::1')
    const warnings = lines.filter(l => l.startsWith('::warning::'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^::warning::env: the value of DEBUG is shorter than 4 characters/)
    expect(warnings[0]).toContain('If it is not secret, set it in vars instead (vars: DEBUG=…).')
    expect(maskSecrets('SECRET_KEY=django-insecure-0123456789')).toBe('SECRET_KEY=***')
  })
})

describe('envFileUpdates', () => {
  it('merges vars, then env, then the pinned images, in that order', () => {
    expect(
      envFileUpdates({
        vars: [['APP_RELEASE', 'v1.2']],
        env: [['SECRET_KEY', 's3cret-value']],
        images: [{ variable: 'BACKEND_IMAGE', ref: IMAGE }]
      } as Parameters<typeof envFileUpdates>[0])
    ).toEqual([
      ['APP_RELEASE', 'v1.2'],
      ['SECRET_KEY', 's3cret-value'],
      ['BACKEND_IMAGE', IMAGE]
    ])
  })
})

describe('describeEnvValues', () => {
  it('shows the names and values of vars and only the names of env', () => {
    expect(
      describeEnvValues({
        vars: [
          ['DEBUG', '1'],
          ['APP_RELEASE', 'v1.2']
        ],
        env: [
          ['SECRET_KEY', 's3cret-value'],
          ['DB_PASSWORD', 'hunter2-hunter2']
        ]
      })
    ).toBe('vars: DEBUG=1, APP_RELEASE=v1.2; env (secret): SECRET_KEY, DB_PASSWORD')
  })

  it('leaves out a part that is empty', () => {
    expect(describeEnvValues({ vars: [], env: [['A', 'long-value']] })).toBe('env (secret): A')
    expect(describeEnvValues({ vars: [['A', 'b']], env: [] })).toBe('vars: A=b')
    expect(describeEnvValues({ vars: [], env: [] })).toBe('')
  })

  it('quotes a var whose value would not read plainly on one log line', () => {
    expect(describeEnvValues({ vars: [['GREETING', ' hi\nthere']], env: [] })).toBe(
      'vars: GREETING=" hi\\nthere"'
    )
  })
})

describe('shownValue', () => {
  it.each([
    ['v1.2', 'v1.2'],
    ['two words', 'two words'],
    ['', ''],
    [' leading', '" leading"'],
    ['trailing ', '"trailing "'],
    ['tab\there', '"tab\\there"'],
    ['line\r\nbreak', '"line\\r\\nbreak"'],
    ['bell\u0007', '"bell\\u0007"'],
    ['del\u007f', '"del\u007f"']
  ])('%j is shown as %s', (value, shown) => {
    expect(shownValue(value)).toBe(shown)
  })
})
