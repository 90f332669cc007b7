import { readFileSync, writeFileSync } from 'node:fs'
import * as prettier from 'prettier'
import { ACTION_DIRS, readAction, withFreshTables } from './action-docs.mjs'
import { writeConnectionInputs } from './connection-inputs.mjs'
import { DEPLOY_FOLDER_ACTION, writeDeployFolderAction } from './deploy-action.mjs'

// The connection inputs first: the root action.yml they land in is the source of deploy/action.yml,
// and every action.yml is the source of its README's tables.
for (const path of writeConnectionInputs()) console.log(`updated ${path}`)
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
