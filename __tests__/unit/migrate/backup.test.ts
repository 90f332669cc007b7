import { describe, expect, it } from '@jest/globals'
import { backupFileName, isOwnBackup } from '../../../src/migrate/backup.js'

describe('backup files', () => {
  it('names dumps so they sort by time and only its own are pruned', () => {
    const name = backupFileName('app', new Date('2026-11-23T08:15:00.5Z'))
    expect(name).toBe('deploykit-app-20261123T081500Z.sql.gz')
    expect(isOwnBackup(name, 'app')).toBe(true)
    expect(isOwnBackup(name, 'ap')).toBe(false)
    expect(isOwnBackup('deploykit-app-latest.sql.gz', 'app')).toBe(false)
    expect(isOwnBackup('app.sql.gz', 'app')).toBe(false)
  })
})
