// config/action.yml, the action that reads the app's config file and gives each setting as an
// output, is made from the root action.yml (each key's description) and the keys the code takes
// (src/core/app-config-keys.mjs), so it offers every key the file may hold and no other.
// `npm run docs` writes it; a unit test fails when it differs from what it would write.
import { readFileSync } from 'node:fs'
import * as prettier from 'prettier'
import { parse, stringify } from 'yaml'
import { CONFIG_KEYS } from '../src/core/app-config-keys.mjs'
import { inputDefault } from './action-docs.mjs'
import { writeIfChanged } from './connection-inputs.mjs'

export const CONFIG_FOLDER_ACTION = 'config/action.yml'

const HEADER =
  '# Made from ../action.yml and src/core/app-config-keys.mjs by `npm run docs` (scripts/config-action.mjs): edit those, not this file.\n'

export function configFolderAction(rootActionText) {
  const root = parse(rootActionText)
  const inputs = { config: { description: root.inputs.config.description, required: false } }
  const outputs = {
    'config-file': {
      description: 'The config file read, relative to the workspace; empty when none was.'
    },
    'from-file': {
      description: 'The keys the config file gave and no input overrode, one per line.'
    }
  }
  for (const key of CONFIG_KEYS) {
    const input = root.inputs[key]
    if (!input) throw new Error(`action.yml has no input ${key}, a key of the config file`)
    inputs[key] = {
      description: `${inputDefault(input).description} Overrides the file's \`${key}\`.`,
      required: false
    }
    outputs[key] = {
      description: `\`${key}\`: the input when given, else the config file's key, else empty (the action that takes it then applies its default).`
    }
  }
  const action = {
    name: 'deploy-kit config',
    description:
      "Read the app's deploy-kit config file (.github/deploy-kit.yml), check every key, and give each setting as an output; an input given overrides its key.",
    author: root.author,
    branding: { icon: 'sliders', color: root.branding.color },
    inputs,
    outputs,
    runs: { using: root.runs.using, main: '../dist/config/index.js' }
  }
  return HEADER + stringify(action, { lineWidth: 0 })
}

/** Writes config/action.yml, formatted as the repository's other YAML is; true when it changed. */
export async function writeConfigFolderAction() {
  const text = await prettier.format(configFolderAction(readFileSync('action.yml', 'utf8')), {
    ...((await prettier.resolveConfig(CONFIG_FOLDER_ACTION)) ?? {}),
    filepath: CONFIG_FOLDER_ACTION
  })
  return writeIfChanged(CONFIG_FOLDER_ACTION, text)
}
