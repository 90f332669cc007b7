import { describe, expect, it } from '@jest/globals'
import { mapInputs } from '../../../src/core/inputs.js'
import { readFleetSettings } from '../../../src/ssh-deploy/fleet-settings.js'

describe('readFleetSettings', () => {
  it.each([
    [{}, 3, { canary: 0, rollback: true, minFreeMb: 500 }],
    [
      { canary: '1', 'fleet-rollback': 'false', 'min-free-mb': '0' },
      3,
      { canary: 1, rollback: false, minFreeMb: 0 }
    ],
    [{ canary: '0' }, 1, { canary: 0, rollback: true, minFreeMb: 500 }]
  ])('%j on %i host(s)', (inputs, hosts, settings) => {
    expect(readFleetSettings(mapInputs(inputs), hosts)).toEqual(settings)
  })

  it.each([
    [{ canary: '3' }, 3, /^Input 'canary': is 3, but there are 3 hosts/],
    [{ canary: '1' }, 1, /^Input 'canary': is 1, but there is 1 host/],
    [{ canary: '-1' }, 3, /^Input 'canary': "-1" is not a whole number/],
    [{ 'min-free-mb': '10GB' }, 3, /^Input 'min-free-mb': "10GB" is not a whole number/],
    [{ 'fleet-rollback': 'maybe' }, 3, /^Input 'fleet-rollback'/]
  ])('refuses %j on %i host(s)', (inputs, hosts, message) => {
    expect(() => readFleetSettings(mapInputs(inputs), hosts)).toThrow(message)
  })
})
