import { describe, expect, it } from '@jest/globals'
import { Cancellation, Cancelled } from '../../../../src/core/cancellation.js'
import { Journal } from '../../../../src/ssh-deploy/host-deploy/journal.js'
import { LockLost } from '../../../../src/ssh-deploy/lock.js'

const report = { releaseId: 'r2', ref: 'v2', previousRef: 'v1', previousRelease: 'r1' }

describe('Journal', () => {
  it('sets changed only once a change the app depends on is done', async () => {
    const journal = new Journal()
    journal.open(report, undefined)
    await journal.change('uploading', async () => undefined)
    expect(journal.report?.changed).toBe(false)
    await expect(
      journal.change(
        'writing .env',
        async () => {
          throw new Error('disk full')
        },
        { app: true }
      )
    ).rejects.toThrow('disk full')
    expect(journal.report?.changed).toBe(false)
    await journal.change('switching', async () => undefined, { app: true })
    expect(journal.report?.changed).toBe(true)
    expect(journal.begun).toEqual(['uploading', 'writing .env', 'switching'])
  })

  it('a change that fails after containers began to change inside it leaves the app changed', async () => {
    const journal = new Journal()
    journal.open(report, undefined)
    await expect(
      journal.change(
        'updating the containers',
        async () => {
          throw new Error('no such image')
        },
        { containers: true, app: true }
      )
    ).rejects.toThrow('no such image')
    expect(journal.report?.changed).toBe(false)
    await expect(
      journal.change(
        'updating the containers',
        async () => {
          await journal.begin('updating web', { containers: true })
          journal.containersChanging()
          throw new Error('port is already allocated')
        },
        { containers: true, app: true }
      )
    ).rejects.toThrow('port is already allocated')
    expect(journal.report?.changed).toBe(true)
  })

  it('stops before the next change once the run is cancelled, and counts it not begun', async () => {
    const cancel = new Cancellation()
    const checked: string[] = []
    const journal = new Journal(async next => void checked.push(next), cancel)
    await journal.change('uploading', async () => undefined)
    cancel.request('SIGINT')
    await expect(journal.change('writing .env', async () => 'done')).rejects.toThrow(Cancelled)
    expect(journal.begun).toEqual(['uploading'])
    expect(checked).toEqual(['uploading'])
  })

  it('checks the lock before each change and counts none begun when it is lost', async () => {
    const asked: string[] = []
    const journal = new Journal(async next => {
      asked.push(next)
      if (next === 'switching') throw new LockLost('nobody', next)
    })
    await journal.begin('updating web', { containers: true })
    await expect(journal.change('switching', async () => 'done')).rejects.toThrow(LockLost)
    expect(asked).toEqual(['updating web', 'switching'])
    expect(journal.begun).toEqual(['updating web'])
    expect(journal.containers).toBe(true)
  })

  it('puts back newest first, each undo handed the error the later one made', async () => {
    const journal = new Journal()
    const order: string[] = []
    await journal.change('first', async () => undefined, {
      undo: async err => {
        order.push(`first: ${(err as Error).message}`)
        return new Error('first put back')
      }
    })
    journal.onFailure(async err => {
      order.push(`second: ${(err as Error).message}`)
      return new Error('second put back')
    })
    const reported = await journal.fail(new Error('boom'))
    expect(order).toEqual(['second: boom', 'first: second put back'])
    expect((reported as Error).message).toBe('first put back')
  })

  it('keeps no undo of a change that failed, and drops the undos once settled', async () => {
    const journal = new Journal()
    const undone: string[] = []
    const undo = (name: string) => async (err: unknown) => (undone.push(name), err)
    await journal
      .change('half', () => Promise.reject(new Error('x')), { undo: undo('half') })
      .catch(() => undefined)
    journal.onFailure(undo('staged'))
    journal.settle()
    journal.onFailure(undo('recorded'))
    await journal.fail(new Error('later'))
    expect(undone).toEqual(['recorded'])
  })

  it('puts nothing back once another deploy holds the lock', async () => {
    const journal = new Journal()
    let undone = false
    journal.onFailure(async err => ((undone = true), err))
    const lost = new LockLost('other', 'switching')
    expect(await journal.fail(lost)).toBe(lost)
    expect(undone).toBe(false)
  })
})
