// The test action on a Node project using node's own test runner, which
// writes JUnit when asked (--test-reporter=junit).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NODE_FAILING_LINE, writeNodeProject } from './fixtures.js'
import { ActionFiles } from './harness.js'

const WITH_JUNIT =
  'node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=junit.xml'

let workspace: string
let files: ActionFiles

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'deploykit-node-'))
  writeNodeProject(join(workspace, 'web'), WITH_JUNIT)
  writeNodeProject(join(workspace, 'plain'), 'node --test')
  files = new ActionFiles(workspace)
})

afterAll(() => {
  files?.remove()
  if (workspace) rmSync(workspace, { recursive: true, force: true })
})

describe('a Node project whose test script writes JUnit', () => {
  it('installs with npm ci, runs npm test and reads the report', async () => {
    const r = await files.run({ 'working-directory': 'web', junit: 'junit.xml', install: 'true' })
    expect(r.error).toBeUndefined()
    expect(r.output).toContain('Framework: node (package.json test script)')
    expect(r.output).toContain('$ npm ci')
    expect(r.output).toContain('$ npm test')
    expect(existsSync(join(workspace, 'web', 'node_modules'))).toBe(false)
    expect(r.outputs).toEqual({ passed: '1', failed: '1', skipped: '1' })

    const tests = r.annotations.filter(a => a.title?.startsWith('Test failed'))
    expect(tests).toHaveLength(1)
    // Node's JUnit reporter drops the line break inside the assertion message.
    expect(tests[0]).toMatchObject({
      title:
        'Test failed: cart › applies the discount — Expected values to be strictly equal:90 !== 91',
      file: 'web/test/cart.test.mjs',
      line: NODE_FAILING_LINE
    })
    expect(r.failed).toBe(true)
    expect(r.annotations.at(-1)?.message.split('\n')[0]).toBe(
      '1 of 3 test(s) failed: cart › applies the discount'
    )
    expect(r.summary).toMatch(
      /<td>node \(package\.json test script\)<\/td><td>1<\/td><td>❌ 1<\/td><td>1<\/td>/
    )
    expect(r.summary).toContain('results from JUnit report junit.xml')
    expect(r.summary).toContain(`web/test/cart.test.mjs:${NODE_FAILING_LINE}`)
    expect(r.summary).toContain('cart › charges the card</code>: payment sandbox is down')
  })

  it('does not read a report the run did not write', async () => {
    const r = await files.run({
      'working-directory': 'web',
      junit: 'junit.xml',
      command: 'node --test --test-reporter=tap'
    })
    expect(r.output).toContain(
      'junit.xml was not written by this run (it is left from an earlier one); not reading it'
    )
    // The TAP output still gives the counts.
    expect(r.outputs).toEqual({ passed: '1', failed: '1', skipped: '1' })
    expect(r.summary).toContain('Node test runner output (counts only)')
    expect(r.annotations.at(-1)?.message).toBe('1 of 3 test(s) failed (see the log for which)')
  })
})

describe('a Node project without a JUnit report', () => {
  it('reads the counts from the runner output', async () => {
    const r = await files.run({ 'working-directory': 'plain' })
    expect(r.outputs).toEqual({ passed: '1', failed: '1', skipped: '1' })
    expect(r.failed).toBe(true)
  })

  it('passes a suite without failures', async () => {
    const r = await files.run({
      'working-directory': 'plain',
      command: 'node --test --test-name-pattern="adds prices"'
    })
    expect(r.failed).toBe(false)
    expect(r.outputs.failed).toBe('0')
    expect(r.summary).toContain('<h3>Tests passed</h3>')
  })
})
