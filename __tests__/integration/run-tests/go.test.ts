// The test action on a Go module (Debian's golang-go): results come from
// `go test -json`, whose events the log shows as Go's usual text.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureBinary } from '../../../testbed/debian-packages.js'
import { GO_FAILING_LINE, writeGoProject } from './fixtures.js'
import { ActionFiles } from './harness.js'

let workspace: string
let files: ActionFiles
let savedGoEnv: Record<string, string | undefined>

beforeAll(() => {
  ensureBinary('/usr/bin/go', 'golang-go')
  workspace = mkdtempSync(join(tmpdir(), 'deploykit-go-'))
  writeGoProject(join(workspace, 'api'))
  // The module has no dependencies; nothing may be fetched, and the build cache stays in the temp dir.
  savedGoEnv = {
    GOCACHE: process.env.GOCACHE,
    GOPROXY: process.env.GOPROXY,
    GOFLAGS: process.env.GOFLAGS
  }
  process.env.GOCACHE = join(workspace, '.gocache')
  process.env.GOPROXY = 'off'
  process.env.GOFLAGS = '-mod=mod'
  files = new ActionFiles(workspace)
})

afterAll(() => {
  files?.remove()
  for (const [key, value] of Object.entries(savedGoEnv ?? {})) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  if (workspace) rmSync(workspace, { recursive: true, force: true })
})

describe('a Go module', () => {
  it('detects go.mod, runs go test -json and reads its events', async () => {
    const r = await files.run({ 'working-directory': 'api' })
    expect(r.error).toBeUndefined()
    expect(r.output).toContain('Framework: go (go.mod)')
    expect(r.output).toContain('$ go test -json ./...')
    expect(r.output).toMatch(/^--- FAIL: TestTenPercent/m)
    expect(r.output).not.toMatch(/^\{"Time"/m)
    expect(r.outputs).toEqual({ passed: '1', failed: '1', skipped: '1' })
    const tests = r.annotations.filter(a => a.title?.startsWith('Test failed'))
    expect(tests).toEqual([
      expect.objectContaining({
        title:
          'Test failed: example.com/shop/calc.TestTenPercent — Discounted(100, 10) = 90, want 91',
        file: 'api/calc/calc_test.go',
        line: GO_FAILING_LINE
      })
    ])
    expect(r.annotations.at(-1)?.message).toBe(
      '1 of 3 test(s) failed: example.com/shop/calc.TestTenPercent'
    )
    expect(r.summary).toContain('results from go test -json output')
  })
})
