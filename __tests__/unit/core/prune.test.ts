import { describe, expect, it } from '@jest/globals'
import { choosePruned, PruneChoice } from '../../../src/core/prune.js'

const R1 = '20260101T000000Z-aaaaaaa-0001'
const R2 = '20260102T000000Z-bbbbbbb-0002'
const R3 = '20260103T000000Z-ccccccc-0003'
const R4 = '20260104T000000Z-ddddddd-0004'

const ROWS: Array<[string, string[], number, string[], PruneChoice]> = [
  ['nothing listed', [], 3, [], { keep: [], remove: [] }],
  ['fewer than kept', [R1, R2], 3, [], { keep: [R1, R2], remove: [] }],
  ['exactly as many as kept', [R1, R2, R3], 3, [], { keep: [R1, R2, R3], remove: [] }],
  ['the oldest go', [R1, R2, R3, R4], 2, [], { keep: [R3, R4], remove: [R1, R2] }],
  ['listing order does not matter', [R4, R1, R3, R2], 2, [], { keep: [R3, R4], remove: [R1, R2] }],
  ['a protected old one stays', [R1, R2, R3, R4], 2, [R1], { keep: [R1, R3, R4], remove: [R2] }],
  [
    'protecting a kept one changes nothing',
    [R1, R2, R3],
    1,
    [R3],
    { keep: [R3], remove: [R1, R2] }
  ],
  [
    'keep 0 keeps only the protected',
    ['web-r1', 'web-r2', 'db-r2'],
    0,
    ['web-r2', 'db-r2'],
    { keep: ['db-r2', 'web-r2'], remove: ['web-r1'] }
  ],
  ['keep 0 removes everything unprotected', [R2, R1], 0, [], { keep: [], remove: [R1, R2] }]
]

describe('choosePruned', () => {
  it.each(ROWS)('%s', (_label, names, keep, protectedNames, choice) => {
    expect(choosePruned(names, keep, name => protectedNames.includes(name))).toEqual(choice)
  })
})
