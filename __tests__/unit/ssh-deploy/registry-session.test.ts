import { describe, expect, it } from '@jest/globals'
import { leftConfigs } from '../../../src/ssh-deploy/registry-session.js'

const DIR = '/home/deploy/.deploy-kit-docker.AbCdEf0123'

describe('the registry logins the post step removes', () => {
  it.each([
    ['', []],
    ['not json', []],
    ['{"web1":"x"}', []],
    [JSON.stringify([['web1', DIR]]), [['web1', DIR]]],
    [
      JSON.stringify([
        ['web1', DIR],
        ['web2', '/home/deploy'],
        ['web3', '/'],
        ['web4', 7],
        ['web5', '/home/../.deploy-kit-docker.AbCdEf0123']
      ]),
      [['web1', DIR]]
    ]
  ])('takes only directories of the kind the main step makes from %j', (state, expected) => {
    expect([...leftConfigs(state)]).toEqual(expected)
  })
})
