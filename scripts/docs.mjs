import { readFileSync, writeFileSync } from 'node:fs'
import * as prettier from 'prettier'
import { ACTION_DIRS, readAction, withFreshTables } from './action-docs.mjs'

for (const dir of ACTION_DIRS) {
  const path = `${dir}/README.md`
  const before = readFileSync(path, 'utf8')
  const options = (await prettier.resolveConfig(path)) ?? {}
  const after = await prettier.format(withFreshTables(before, readAction(dir)), {
    ...options,
    filepath: path
  })
  if (after !== before) {
    writeFileSync(path, after)
    console.log(`updated ${path}`)
  }
}
