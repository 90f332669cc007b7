import { describe, expect, it } from '@jest/globals'
import { InputError } from '../../../src/core/errors.js'
import { countDifferences, parseCounts } from '../../../src/migrate/restore.js'
import { readMigrateInputs as read } from '../../helpers/migrate-inputs.js'

describe('restore settings', () => {
  it('stops the migrated service by default, and waits 30 s for a lock', () => {
    const s = read({ backup: 'pg_dump', 'restore-on-failure': 'true' })
    expect(s).toMatchObject({
      restoreOnFailure: true,
      restoreStopServices: ['backend'],
      restoreLockTimeout: 30
    })
  })

  it('takes the services to stop as a list, each once', () => {
    const s = read({
      backup: 'pg_dump',
      'restore-on-failure': 'true',
      'restore-stop-services': 'backend, worker\nbeat worker',
      'restore-lock-timeout': '5'
    })
    expect(s.restoreStopServices).toEqual(['backend', 'worker', 'beat'])
    expect(s.restoreLockTimeout).toBe(5)
  })

  it('leaves out of the default the service the restore runs psql in', () => {
    const s = read({
      backup: 'pg_dump',
      'backup-service': 'backend',
      'restore-on-failure': 'true'
    })
    expect(s.restoreStopServices).toEqual([])
  })

  it.each<[string, Record<string, string>, RegExp]>([
    ['restore-on-failure without a backup', { 'restore-on-failure': 'true' }, /backup is none/],
    [
      'a service name that is not one',
      { backup: 'pg_dump', 'restore-stop-services': 'backend $(id)' },
      /"\$\(id\)" is not a Compose service name/
    ],
    [
      'the backup service in the stop list',
      { backup: 'pg_dump', 'restore-stop-services': 'backend db' },
      /names db, the backup-service/
    ],
    [
      'a lock timeout of 0',
      { backup: 'pg_dump', 'restore-lock-timeout': '0' },
      /restore-lock-timeout.*not a whole number from 1 to 3600/
    ]
  ])('refuses %s', (_name, inputs, message) => {
    expect(() => read(inputs)).toThrow(InputError)
    expect(() => read(inputs)).toThrow(message)
  })
})

describe("the dump's record against the restored tables", () => {
  it('reads schema.table<TAB>rows lines, names with tabs-free quotes included', () => {
    expect([...parseCounts('public.a\t2\npublic."My T"\t0\n\n')]).toEqual([
      ['public.a', 2],
      ['public."My T"', 0]
    ])
  })

  it('names each table whose rows differ, or that is missing', () => {
    const dump = parseCounts('public.a\t2\npublic.b\t1\npublic.c\t0')
    expect(countDifferences(dump, parseCounts('public.a\t2\npublic.b\t0\npublic.x\t9'))).toEqual([
      'public.b: dump 1, database 0',
      'public.c: dump 0, database no such table'
    ])
    expect(countDifferences(dump, parseCounts('public.a\t2\npublic.b\t1\npublic.c\t0'))).toEqual([])
  })
})
