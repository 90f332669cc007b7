import { describe, expect, it } from '@jest/globals'
import { alembicRevision, djangoApplied, djangoRevision } from '../../../src/migrate/revisions.js'

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
