// Runs the committed bundles under Node 24, as GitHub's runner does.
import { describe, expect, it } from '@jest/globals'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ENTRIES } from '../../scripts/actions.mjs'
import { runAction } from '../testbed/action-runner.js'

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]
  )
}

describe('bundles', () => {
  it('are pure JavaScript: no native addon or Windows helper is shipped', () => {
    expect(filesUnder('dist').filter(f => /\.(node|exe)$/.test(f))).toEqual([])
  })

  it.each(ENTRIES)(
    '%s loads under Node 24 and does not pretend to succeed while unbuilt',
    async name => {
      const run = await runAction(name, {})
      expect(run.code).toBe(1)
      expect(run.output).toContain(`::error::deploy-kit ${name}: not implemented yet`)
    }
  )
})
