// deploy-kit.schema.json, the JSON schema of the app's config file (.github/deploy-kit.yml), is
// made from the keys the code takes (src/core/app-config-keys.mjs) and the root action.yml's
// description and default of each, so editors complete and check the file as the action reads
// it. `npm run docs` writes it; a unit test fails when it differs from what it would write.
import { CONFIG_KEYS } from '../src/core/app-config-keys.mjs'
import { inputDefault } from './action-docs.mjs'

export const CONFIG_SCHEMA_FILE = 'deploy-kit.schema.json'

/** A key's value as the file may give it: a value, or a list of values (one per line); vars also a mapping. */
const DEFINITIONS = {
  scalar: { type: ['string', 'number', 'boolean'] },
  value: {
    anyOf: [{ $ref: '#/$defs/scalar' }, { type: 'array', items: { $ref: '#/$defs/scalar' } }]
  },
  vars: {
    anyOf: [
      { $ref: '#/$defs/value' },
      { type: 'object', additionalProperties: { $ref: '#/$defs/scalar' } }
    ]
  }
}

function valueSchema(key, value) {
  if (value === 'true' || value === 'false') return { type: 'boolean' }
  return { $ref: key === 'vars' ? '#/$defs/vars' : '#/$defs/value' }
}

/** The default as YAML would give it: true/false and whole numbers typed. */
function typedDefault(value) {
  if (value === 'true' || value === 'false') return value === 'true'
  return /^\d+$/.test(value) ? Number(value) : value
}

export function configSchema(rootAction) {
  const properties = {}
  for (const key of CONFIG_KEYS) {
    const input = rootAction.inputs[key]
    if (!input) throw new Error(`config key ${key} is not an input of the root action`)
    const { value, description } = inputDefault(input)
    properties[key] = {
      description: description.trim(),
      ...(value === '' ? {} : { default: typedDefault(value) }),
      ...valueSchema(key, value)
    }
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'deploy-kit config file (.github/deploy-kit.yml)',
    description:
      'Settings of the deploy-kit root action and ssh-deploy for one app, under the inputs’ names; an input given to the step overrides its key. Secrets and per-run settings are inputs only.',
    type: 'object',
    additionalProperties: false,
    properties,
    $defs: DEFINITIONS
  }
}
