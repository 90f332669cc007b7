import { readFileSync, writeFileSync } from 'node:fs'
import { ACTION_DIRS, readAction, withFreshTables } from './action-docs.mjs'

for (const dir of ACTION_DIRS) {
  const path = `${dir}/README.md`
  const before = readFileSync(path, 'utf8')
  const after = withFreshTables(before, readAction(dir))
  if (after !== before) {
    writeFileSync(path, after)
    console.log(`updated ${path}`)
  }
}
