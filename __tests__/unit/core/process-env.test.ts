import { afterEach, describe, expect, it } from '@jest/globals'
import { processEnv } from '../../../src/core/process-env.js'

const NAME = 'DEPLOY_KIT_PROCESS_ENV_TEST'

afterEach(() => {
  delete process.env[NAME]
})

describe('processEnv', () => {
  it("carries the runner's environment over, so PATH and DOCKER_CONFIG still reach the program", () => {
    process.env[NAME] = 'from the runner'
    const env = processEnv()
    expect(env[NAME]).toBe('from the runner')
    expect(env.PATH).toBe(process.env.PATH)
  })

  it('puts the extra variables on top of the inherited ones', () => {
    process.env[NAME] = 'from the runner'
    expect(processEnv({ [NAME]: 'given', OTHER_ONE: 'x' })).toMatchObject({
      [NAME]: 'given',
      OTHER_ONE: 'x'
    })
  })

  it('does not write into process.env', () => {
    processEnv({ [NAME]: 'given' })
    expect(process.env[NAME]).toBeUndefined()
  })

  it('holds strings only, as a child process environment must', () => {
    for (const value of Object.values(processEnv())) expect(typeof value).toBe('string')
  })
})
