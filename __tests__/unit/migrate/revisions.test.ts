import { describe, expect, it } from '@jest/globals'
import {
  alembicRevision,
  djangoApplied,
  djangoRevision,
  downTargets
} from '../../../src/migrate/revisions.js'

describe('revisions', () => {
  it('reads django showmigrations --plan', () => {
    const out = '[X]  shop.0001_initial\n[X]  blog.0001_initial\n[ ]  shop.0002_product_price\n'
    expect(djangoApplied(out)).toEqual(['shop.0001_initial', 'blog.0001_initial'])
    expect(djangoRevision(djangoApplied(out))).toBe('blog.0001_initial shop.0001_initial')
    expect(djangoRevision([])).toBe('zero')
  })

  it('reads alembic current', () => {
    expect(alembicRevision('0002 (head)\n')).toBe('0002')
    expect(alembicRevision('ae10 (head)\nbf22 (head)\n')).toBe('ae10 bf22')
    expect(alembicRevision('')).toBe('base')
  })
})

describe('downTargets', () => {
  it('goes down to the recorded alembic revision, not a relative step', () => {
    expect(downTargets('alembic', '0002', '0004')).toEqual(['0002'])
    expect(downTargets('alembic', 'base', '0001')).toEqual(['base'])
    expect(downTargets('alembic', '0002', '0002')).toEqual([])
    expect(() => downTargets('alembic', 'a1 b2', 'c3')).toThrow(/several heads \(a1 b2\)/)
  })

  it('takes each django app that moved back to its recorded migration, or zero', () => {
    expect(
      downTargets(
        'django',
        'blog.0001_initial shop.0002_product_price',
        'blog.0001_initial news.0001_initial shop.0004_stock'
      )
    ).toEqual(['news zero', 'shop 0002_product_price'])
    expect(downTargets('django', 'zero', 'shop.0001_initial')).toEqual(['shop zero'])
    expect(downTargets('django', 'shop.0001_initial', 'shop.0001_initial')).toEqual([])
  })
})
