import { readFileSync } from 'node:fs'
import * as prettier from 'prettier'
import { ACTION_DIRS, readAction, withFreshTables } from './action-docs.mjs'
import { CONFIG_FOLDER_ACTION, writeConfigFolderAction } from './config-action.mjs'
import { CONFIG_SCHEMA_FILE, configSchema } from './config-schema.mjs'
import { writeConnectionInputs, writeIfChanged } from './connection-inputs.mjs'
import { DEPLOY_FOLDER_ACTION, writeDeployFolderAction } from './deploy-action.mjs'
import {
  readWorkflows,
  withWorkflowTables,
  writeWorkflowConnections
} from './workflow-interface.mjs'

// The connection inputs first: the root action.yml they land in is the source of deploy/action.yml,
// and every action.yml is the source of its README's tables.
for (const path of writeConnectionInputs()) console.log(`updated ${path}`)
for (const path of writeWorkflowConnections()) console.log(`updated ${path}`)
if (writeDeployFolderAction()) console.log(`updated ${DEPLOY_FOLDER_ACTION}`)
if (await writeConfigFolderAction()) console.log(`updated ${CONFIG_FOLDER_ACTION}`)

for (const dir of ACTION_DIRS) {
  const path = `${dir}/README.md`
  const before = readFileSync(path, 'utf8')
  const options = (await prettier.resolveConfig(path)) ?? {}
  const fresh = withFreshTables(before, readAction(dir))
  // The root README also holds the reusable workflows' tables.
  const text = dir === '.' ? withWorkflowTables(fresh, readWorkflows()) : fresh
  const after = await prettier.format(text, {
    ...options,
    filepath: path
  })
  if (writeIfChanged(path, after)) console.log(`updated ${path}`)
}

// The config file's schema, from the root action.yml the steps above have written.
{
  const schema = await prettier.format(JSON.stringify(configSchema(readAction('.'))), {
    ...((await prettier.resolveConfig(CONFIG_SCHEMA_FILE)) ?? {}),
    filepath: CONFIG_SCHEMA_FILE
  })
  if (writeIfChanged(CONFIG_SCHEMA_FILE, schema)) console.log(`updated ${CONFIG_SCHEMA_FILE}`)
}
