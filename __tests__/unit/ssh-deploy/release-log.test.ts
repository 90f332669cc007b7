import { afterAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileCommands } from '../../../src/commands/files.js'
import { toShell } from '../../../src/core/remote-command.js'
import {
  currentRelease,
  findRollbackTarget,
  newReleaseId,
  parseReleaseLog,
  previousRelease,
  readReleaseLog,
  RELEASE_ID,
  ReleaseRecord,
  skippedText
} from '../../../src/ssh-deploy/release-log.js'

const line = (o: object) => JSON.stringify(o)
const LOG = [
  line({ id: 'r1', ref: 'a'.repeat(40), source: 'git', status: 'started' }),
  line({ id: 'r1', status: 'succeeded' }),
  line({ id: 'r2', ref: 'b'.repeat(40), source: 'git', status: 'started' }),
  line({ id: 'r2', status: 'failed', error: 'boom' }),
  '{"id": "r3", "ref": "cut short by a killed ru',
  line({ id: 'r4', ref: 'c'.repeat(40), source: 'git', status: 'started' }),
  line({ id: 'r4', status: 'succeeded' })
].join('\n')

describe('release log', () => {
  it('folds later lines into earlier ones and skips a torn line', () => {
    expect(parseReleaseLog(LOG).map(r => [r.id, r.status])).toEqual([
      ['r1', 'succeeded'],
      ['r2', 'failed'],
      ['r4', 'succeeded']
    ])
  })

  it('knows the live release and the one before it that succeeded', () => {
    const records = parseReleaseLog(LOG)
    expect(currentRelease(records)?.id).toBe('r4')
    expect(previousRelease(records)?.id).toBe('r1')
    expect(findRollbackTarget(records, 'previous')?.id).toBe('r1')
  })

  it('finds a rollback target by release id, full ref or short sha, never a failed one', () => {
    const records = parseReleaseLog(LOG)
    expect(findRollbackTarget(records, 'r1')?.ref).toBe('a'.repeat(40))
    expect(findRollbackTarget(records, 'aaaaaaa')?.id).toBe('r1')
    expect(findRollbackTarget(records, 'r2')).toBeUndefined()
    expect(
      findRollbackTarget(parseReleaseLog(LOG.split('\n').slice(0, 2).join('\n')), 'previous')
    ).toBeUndefined()
  })

  it('goes back to the last good release when the newest deploy failed', () => {
    const failedLast = parseReleaseLog(
      LOG + '\n' + line({ id: 'r5', ref: 'e'.repeat(40), status: 'failed' })
    )
    expect(findRollbackTarget(failedLast, 'previous')?.id).toBe('r4')
  })

  it('never goes back to a cancelled release, and a cancelled newest one is not live', () => {
    const records = parseReleaseLog(
      [
        LOG,
        line({ id: 'r5', ref: 'd'.repeat(40), source: 'git', status: 'started' }),
        line({ id: 'r5', status: 'cancelled' })
      ].join('\n')
    )
    expect(records.at(-1)?.status).toBe('cancelled')
    expect(currentRelease(records)?.id).toBe('r4')
    // The servers may run the cancelled release: previous is the last one that succeeded.
    expect(findRollbackTarget(records, 'previous')?.id).toBe('r4')
    expect(findRollbackTarget(records, 'r5')).toBeUndefined()
  })

  it('makes ids that sort by time and carry the short sha', () => {
    const id = newReleaseId(new Date('2026-11-23T08:05:09.123Z'), 'd'.repeat(40), 0.5)
    expect(id).toBe('20261123T080509Z-ddddddd-8000')
    expect(id).toMatch(RELEASE_ID)
    expect(newReleaseId(new Date('2026-11-23T08:05:10Z'), 'v1.2/x', 0) > id).toBe(true)
  })
})

/** A release's lines as a deploy appends them: started with everything, then succeeded with its images. */
function started(id: string, ref: string): Partial<ReleaseRecord> {
  return {
    id,
    ref,
    source: 'git',
    actor: 'octocat',
    runUrl: `https://github.com/acme/shop/actions/runs/${id}`,
    startedAt: '2026-12-02T10:15:00.000Z',
    status: 'started',
    releaseDir: '/srv/shop'
  }
}

function succeeded(id: string): Partial<ReleaseRecord> {
  return {
    id,
    images: { web: { image: `shop-web:${id}`, id: `sha256:${'9'.repeat(64)}` } },
    status: 'succeeded',
    finishedAt: '2026-12-02T10:16:00.000Z'
  }
}

const recordLine = (r: Partial<ReleaseRecord>) => JSON.stringify(r) + '\n'

describe('release log after a crash in the middle of an append', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lock-log-release-log-'))
  const log = join(dir, 'releases.jsonl')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  /** Appends the way a deploy does: the append command's own script, run by sh. */
  function append(record: Partial<ReleaseRecord>): void {
    const cmd = fileCommands.append(log, recordLine(record))
    const r = spawnSync('sh', ['-c', toShell(cmd)], { input: cmd.stdin, encoding: 'utf8' })
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' })
  }

  const sha = (c: string) => c.repeat(40)
  const whole = [
    started('r1', sha('1')),
    succeeded('r1'),
    started('r2', sha('2')),
    succeeded('r2'),
    started('r3', sha('3')),
    succeeded('r3'),
    started('r4', sha('4'))
  ]
    .map(recordLine)
    .join('')
  const last = recordLine(succeeded('r4')).slice(0, -1)

  /** Appends `records` to each log the way a deploy does: the append command's own script, run by sh (one sh for all the logs). */
  function appendToEach(logs: string[], records: Partial<ReleaseRecord>[]): void {
    const cmds = records.map(r => fileCommands.append('', recordLine(r)))
    const inputs = cmds.map((cmd, i) => {
      const input = join(dir, `record-${i}`)
      writeFileSync(input, cmd.stdin ?? '')
      return input
    })
    const [sh, dashC, script] = cmds[0].argv
    expect(cmds.every(cmd => cmd.argv[2] === script)).toBe(true)
    const r = spawnSync(
      'sh',
      [
        '-c',
        'for log; do for input in $INPUTS; do sh -c "$APPEND" sh "$log" < "$input" || exit; done; done',
        'sh',
        ...logs
      ],
      { encoding: 'utf8', env: { ...process.env, APPEND: script, INPUTS: inputs.join(' ') } }
    )
    expect([sh, dashC]).toEqual(['sh', '-c'])
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' })
  }

  it('keeps every whole record, wherever the last one was cut, once the next deploy appended', () => {
    const cuts = [...Array(last.length + 1).keys()]
    const logs = cuts.map(cut => join(dir, `cut-${cut}.jsonl`))
    cuts.forEach(cut => writeFileSync(logs[cut], whole + last.slice(0, cut)))
    appendToEach(logs, [started('r5', sha('5')), succeeded('r5')])
    const outcomes: string[] = []
    const expected: string[] = []
    for (const cut of cuts) {
      const read = readReleaseLog(readFileSync(logs[cut], 'utf8'))
      const { records } = read
      outcomes.push(
        JSON.stringify({
          cut,
          records: records.map(r => `${r.id}:${r.status}`),
          r5: records.find(r => r.id === 'r5'),
          live: currentRelease(records)?.id,
          previous: findRollbackTarget(records, 'previous')?.id,
          previousRelease: previousRelease(records)?.id,
          byRef: findRollbackTarget(records, sha('2'))?.id,
          unreadableLines: read.unreadableLines
        })
      )
      // Cut inside the line, it is gone and r4 stays as it started; kept whole (only its newline lost), r4 succeeded.
      const r4 = cut === last.length ? 'succeeded' : 'started'
      expected.push(
        JSON.stringify({
          cut,
          records: ['r1', 'r2', 'r3']
            .map(id => `${id}:succeeded`)
            .concat(`r4:${r4}`, 'r5:succeeded'),
          r5: { ...started('r5', sha('5')), ...succeeded('r5') },
          live: 'r5',
          previous: r4 === 'succeeded' ? 'r4' : 'r3',
          previousRelease: r4 === 'succeeded' ? 'r4' : 'r3',
          byRef: 'r2',
          unreadableLines: cut > 0 && cut < last.length ? [8] : []
        })
      )
    }
    expect(outcomes).toEqual(expected)
  })

  it('goes back to the last good release when the deploy after the torn line failed', () => {
    writeFileSync(log, whole + last.slice(0, 40))
    append(started('r5', sha('5')))
    append({ id: 'r5', status: 'failed', error: 'unhealthy' })
    const records = parseReleaseLog(readFileSync(log, 'utf8'))
    expect(currentRelease(records)?.id).toBe('r3')
    expect(findRollbackTarget(records, 'previous')?.id).toBe('r3')
  })

  it('starts an append on a line of its own and adds no empty line after a whole one', () => {
    writeFileSync(log, whole + '{"id":"r4","sta')
    append({ id: 'r4', status: 'failed' })
    append({ id: 'r5', status: 'failed' })
    expect(readFileSync(log, 'utf8')).toBe(
      whole + '{"id":"r4","sta\n{"id":"r4","status":"failed"}\n{"id":"r5","status":"failed"}\n'
    )
  })

  it('reads the record an older append glued onto a torn line, and the records around it', () => {
    const glued =
      whole +
      last.slice(0, 57) +
      recordLine({ id: 'r4', status: 'failed' }) +
      recordLine(started('r5', sha('5')))
    const read = readReleaseLog(glued)
    expect(read.records.map(r => `${r.id}:${r.status}`)).toEqual([
      'r1:succeeded',
      'r2:succeeded',
      'r3:succeeded',
      'r4:failed',
      'r5:started'
    ])
    expect(read.unreadableLines).toEqual([8])
  })
})

const BACKUP = {
  file: '/srv/app/backups/app-20261203T070000Z.sql.gz',
  host: 'deploy@db1:22',
  takenAt: '2026-12-03T07:00:00.000Z',
  verify: 'restore',
  sizeBytes: 1024,
  sha256: 'f'.repeat(64),
  tables: 3,
  proofSeconds: 1.5
}

describe('release log with the backups of a release', () => {
  it('keeps the dump before the migration and the one before its revert apart', () => {
    const [r] = parseReleaseLog(
      [
        line({ id: 'r1', ref: 'a'.repeat(40), source: 'git', status: 'started' }),
        line({ id: 'r1', backup: BACKUP }),
        line({ id: 'r1', status: 'failed' }),
        line({
          id: 'r1',
          downBackup: {
            ...BACKUP,
            file: '/b/2.sql.gz',
            runnerCopy: '/tmp/2',
            artifact: { id: 7, name: '2.sql.gz' }
          }
        })
      ].join('\n')
    )
    expect(r.status).toBe('failed')
    expect(r.backup).toEqual(BACKUP)
    expect(r.downBackup).toEqual({
      ...BACKUP,
      file: '/b/2.sql.gz',
      runnerCopy: '/tmp/2',
      artifact: { id: 7, name: '2.sql.gz' }
    })
  })
})

describe('release log with records of the wrong shape', () => {
  const good = [
    line({ id: 'r1', ref: 'a'.repeat(40), source: 'git', status: 'started' }),
    line({ id: 'r1', status: 'succeeded' })
  ]
  const wrong = [
    'null',
    '[]',
    '"text"',
    '42',
    line({ id: 7, ref: 'b', status: 'succeeded' }),
    line({ id: '', ref: 'b', status: 'succeeded' }),
    line({ id: 'r2', ref: 7, source: 'git', status: 'succeeded' }),
    line({ id: 'r2', ref: 'b', source: 'ftp', status: 'succeeded' }),
    line({ id: 'r2', ref: 'b', source: 'git', status: 'done' }),
    line({ id: 'r2', ref: 'b', source: 'git', status: 'succeeded', error: {} }),
    line({ id: 'r2', ref: 'b', source: 'git', status: 'succeeded', images: 'web' }),
    line({ id: 'r2', ref: 'b', source: 'git', status: 'succeeded', images: { web: { image: 1 } } }),
    line({ id: 'r2', ref: 'b', source: 'git', status: 'succeeded', startedAt: null }),
    line({ id: 'r1', backup: 'db.sql.gz' }),
    line({ id: 'r1', backup: { ...BACKUP, sizeBytes: '100' } }),
    line({ id: 'r1', downBackup: { ...BACKUP, verify: 'restored' } }),
    line({ id: 'r1', backup: { ...BACKUP, artifact: { id: '7', name: 'x' } } })
  ]

  it('skips each such line, never throws, and keeps the good records', () => {
    const read = readReleaseLog(
      [...good, ...wrong, line({ id: 'r3', status: 'succeeded' })].join('\n')
    )
    expect(read.records.map(r => `${r.id}:${r.status}`)).toEqual(['r1:succeeded'])
    expect(read.unreadableLines).toEqual(wrong.map((_, i) => i + 3))
    // r3 has no started line: no ref to go back to, so it is no release.
    expect(read.incompleteReleases).toEqual(['r3'])
    expect(findRollbackTarget(read.records, 'previous')).toBeUndefined()
    expect(currentRelease(read.records)?.ref).toBe('a'.repeat(40))
  })

  it('says what it skipped in one sentence, and nothing when it skipped nothing', () => {
    expect(skippedText(readReleaseLog([...good, ...wrong.slice(0, 2)].join('\n')))).toBe(
      'skipped 2 unreadable lines (line 3, line 4: cut short by a killed run, or changed by hand)'
    )
    expect(skippedText(readReleaseLog(line({ id: 'r3', status: 'failed' })))).toBe(
      'skipped 1 release whose first record is missing'
    )
    expect(skippedText(readReleaseLog(good.join('\n')))).toBeUndefined()
  })
})
