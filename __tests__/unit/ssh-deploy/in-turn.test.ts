import { describe, expect, it } from '@jest/globals'
import { inTurn } from '../../../src/ssh-deploy/in-turn.js'

const WORDS = { doing: 'rolling', done: 'replaced' }

/** Runs inTurn over services, failing `failing`, and records what ran in which order. */
async function roll(services: string[], failing?: string, lockLostBefore?: string) {
  const events: string[] = []
  const error = await inTurn(
    services,
    s => s,
    WORDS,
    async s => {
      events.push(`work ${s}`)
      if (s === failing) throw new Error('did not become healthy in 60s')
    },
    async s => {
      events.push(`before ${s}`)
      if (s === lockLostBefore) throw new Error('the deploy lock was taken over by run 42')
    }
  ).then(
    () => undefined,
    (err: Error) => err
  )
  return { events, error }
}

describe('inTurn', () => {
  it('works on the services one at a time, in the order given, each after its `before`', async () => {
    const { events, error } = await roll(['backend', 'frontend', 'nginx'])
    expect(error).toBeUndefined()
    expect(events).toEqual([
      'before backend',
      'work backend',
      'before frontend',
      'work frontend',
      'before nginx',
      'work nginx'
    ])
  })

  it('stops at the first failure, naming the service and the ones already done', async () => {
    const { events, error } = await roll(['backend', 'frontend', 'nginx', 'worker'], 'nginx')
    expect(error?.message).toBe(
      'rolling nginx: did not become healthy in 60s (already replaced: backend, frontend)'
    )
    expect(events).not.toContain('work worker')
    expect(events.at(-1)).toBe('work nginx')
  })

  it('says nothing of services done when the first one fails', async () => {
    const { error } = await roll(['backend', 'frontend'], 'backend')
    expect(error?.message).toBe('rolling backend: did not become healthy in 60s')
  })

  it('passes an error of `before` through as it is, and works on nothing after it', async () => {
    const { events, error } = await roll(['backend', 'frontend'], undefined, 'frontend')
    expect(error?.message).toBe('the deploy lock was taken over by run 42')
    expect(events).toEqual(['before backend', 'work backend', 'before frontend'])
  })

  it('names the items by what `serviceOf` returns', async () => {
    const error = await inTurn(
      [{ name: 'api' }, { name: 'web' }],
      i => i.name,
      { doing: 'updating', done: 'updated' },
      async i => {
        if (i.name === 'web') throw 'exit 1'
      }
    ).catch((err: Error) => err)
    expect((error as Error).message).toBe('updating web: exit 1 (already updated: api)')
  })
})
