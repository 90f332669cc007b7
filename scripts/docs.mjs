import { readFileSync, writeFileSync } from 'node:fs'
import * as prettier from 'prettier'
import { ACTION_DIRS, readAction, withFreshTables } from './action-docs.mjs'
import { DEPLOY_FOLDER_ACTION, writeDeployFolderAction } from './deploy-action.mjs'

if (writeDeployFolderAction()) console.log(`updated ${DEPLOY_FOLDER_ACTION}`)

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
