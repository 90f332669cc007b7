import { describe, expect, it } from '@jest/globals'
import { splitDatabaseUrl } from '../../../src/migrate/database-url.js'
import { readMigrateInputs as read } from '../../helpers/migrate-inputs.js'

describe('backup-database-url', () => {
  it.each([
    [
      'postgresql://app:s3cret@db.internal:5432/shop',
      'postgresql://app@db.internal:5432/shop',
      's3cret'
    ],
    [
      'postgres://app:p%40ss%3Aw%2Frd%25@h/db?sslmode=require',
      'postgres://app@h/db?sslmode=require',
      'p@ss:w/rd%'
    ],
    [
      'postgresql://app@h/db?password=q%26x&sslmode=verify-full',
      'postgresql://app@h/db?sslmode=verify-full',
      'q&x'
    ],
    ['postgresql://app:old@h/db?password=new', 'postgresql://app@h/db', 'new'],
    ['postgresql://:only-pw@h/db', 'postgresql://h/db', 'only-pw'],
    ['postgresql://app@h1:5432,h2:5433/db', 'postgresql://app@h1:5432,h2:5433/db', ''],
    ['postgresql:///db?host=/run/postgresql', 'postgresql:///db?host=/run/postgresql', ''],
    ['postgresql://h/db@x', 'postgresql://h/db@x', '']
  ])('takes the password out of %s', (given, url, password) => {
    expect(splitDatabaseUrl(given)).toEqual({ url, password })
  })

  it.each([
    ['host=db password=s3cret', /is not a postgres:\/\/ or postgresql:\/\/ URL/],
    ['postgresql://app:s3cret%zz@h/db', /malformed %-escape in its password/],
    ['postgresql://app:s3cret%00@h/db', /NUL byte/]
  ])('refuses %j without quoting it', (given, message) => {
    expect(() => read({ backup: 'pg_dump', 'backup-database-url': given })).toThrow(message)
    expect(() => read({ backup: 'pg_dump', 'backup-database-url': given })).not.toThrow(/s3cret/)
  })
})
