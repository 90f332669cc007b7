// The reusable workflows' interface, made from sources that already exist so it cannot drift:
// - the SSH connection settings of scripts/connection-inputs.yml become each workflow's inputs
//   and secrets, and the `with:` lines of every step that reaches a server, between marker
//   comments (as connection-inputs.mjs does for the action.yml files);
// - README.md's tables of each workflow's inputs, secrets and outputs are made from the
//   workflow file.
// `npm run docs` writes both; a unit test fails when a file differs from what it would write.
import { readFileSync } from 'node:fs'
import { parse, stringify } from 'yaml'
import { inputDefault } from './action-docs.mjs'
import { connectionInputs, readConnectionSource, rewriteFiles } from './connection-inputs.mjs'

export const WORKFLOW_FILES = ['.github/workflows/deploy.yml', '.github/workflows/rollback.yml']

/** Connection inputs a reusable workflow cannot take, with the reason. */
export const LEFT_OUT = {
  'key-path':
    'a file on the runner: the runner of a called workflow has none of the caller’s files; pass `ssh-key`'
}

/** Connection inputs that travel as secrets, under their name in the workflows. */
export const SECRET_NAMES = {
  key: 'ssh-key',
  passphrase: 'passphrase',
  password: 'password',
  'known-hosts': 'known-hosts',
  'proxy-key': 'proxy-key',
  'proxy-passphrase': 'proxy-passphrase',
  'proxy-password': 'proxy-password',
  'proxy-known-hosts': 'proxy-known-hosts'
}

/**
 * The workflows that read the app's config file (through the root action): an input the caller
 * leaves out must reach the action empty, so the file's value or the action's default applies,
 * and `host` may be in the file. Their connection inputs are strings with an empty default; each
 * action applies the default its description names.
 */
export const CONFIG_READING_WORKFLOWS = [
  '.github/workflows/deploy.yml',
  '.github/workflows/rollback.yml'
]

/**
 * The workflows whose steps take the settings from a config step (deploy-kit's `config` action,
 * `id: settings`) rather than from the inputs: each step then runs with the settings the config
 * file and the inputs give together, as the root action does in deploy.yml.
 */
export const SETTINGS_STEP_WORKFLOWS = ['.github/workflows/rollback.yml']

const SOURCE_NOTE =
  'made from scripts/connection-inputs.yml by `npm run docs`; edit that file, not this block'
const BLOCKS = {
  inputs: { start: `# connection inputs: ${SOURCE_NOTE}`, end: '# connection inputs end' },
  secrets: { start: `# connection secrets: ${SOURCE_NOTE}`, end: '# connection secrets end' },
  with: { start: `# connection: ${SOURCE_NOTE}`, end: '# connection end' }
}

/** Each block's lines, unindented. */
function blockBodies(source, readsConfig, fromSettingsStep) {
  const inputs = []
  const secrets = []
  const withLines = []
  for (const [name, i] of Object.entries(source)) {
    if (name in LEFT_OUT) continue
    const secret = SECRET_NAMES[name]
    if (secret) {
      secrets.push(
        stringify(
          { [secret]: { description: i.description, required: false } },
          { lineWidth: 0, singleQuote: true }
        )
      )
      withLines.push(`${name}: \${{ secrets.${secret} }}`)
      continue
    }
    const entry =
      i.required && !readsConfig
        ? { description: i.description, type: 'string', required: true }
        : { description: i.description, type: 'string', default: String(i.default ?? '') }
    inputs.push(stringify({ [name]: entry }, { lineWidth: 0, singleQuote: true }))
    withLines.push(
      fromSettingsStep
        ? `${name}: \${{ steps.settings.outputs.${name} }}`
        : `${name}: \${{ inputs.${name} }}`
    )
  }
  const lines = chunks => chunks.join('').replace(/\n$/, '').split('\n')
  return { inputs: lines(inputs), secrets: lines(secrets), with: withLines }
}

/** The workflow text with every connection block rewritten; each block keeps its marker's indent. */
export function withConnectionBlocks(text, sourceText, path = 'workflow') {
  const bodies = blockBodies(
    connectionInputs(sourceText),
    CONFIG_READING_WORKFLOWS.includes(path),
    SETTINGS_STEP_WORKFLOWS.includes(path)
  )
  const lines = text.split('\n')
  const out = []
  const found = { inputs: 0, secrets: 0, with: 0 }
  for (let i = 0; i < lines.length; i++) {
    const kind = Object.keys(BLOCKS).find(k => lines[i].trim() === BLOCKS[k].start)
    if (!kind) {
      out.push(lines[i])
      continue
    }
    const indent = lines[i].slice(0, lines[i].length - lines[i].trimStart().length)
    const end = lines.findIndex((l, j) => j > i && l.trim() === BLOCKS[kind].end)
    if (end < 0) throw new Error(`${path}:${i + 1}: "${BLOCKS[kind].start}" has no end marker`)
    out.push(lines[i], ...bodies[kind].map(l => (l === '' ? l : indent + l)), lines[end])
    found[kind]++
    i = end
  }
  if (!found.inputs || !found.secrets || !found.with)
    throw new Error(`${path}: wants a connection inputs block, a secrets block and a with block`)
  const result = out.join('\n')
  parse(result, { uniqueKeys: true }) // a duplicate key (an input also given by hand) throws
  return result
}

const cell = text => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ')
const tableStart = file => `<!-- ${file}:start (made from the workflow file by npm run docs) -->`
const tableEnd = file => `<!-- ${file}:end -->`

/** README.md's tables for one workflow: inputs, secrets and outputs of its workflow_call. */
export function workflowTables(file, workflowText) {
  const call = parse(workflowText).on.workflow_call
  const inputs = Object.entries(call.inputs ?? {}).map(([name, i]) => {
    const { value, description } = inputDefault(i)
    return `| \`${name}\` | ${i.type} | ${i.required ? 'required' : value === '' ? '' : `\`${cell(value)}\``} | ${cell(description)} |`
  })
  const secrets = Object.entries(call.secrets ?? {}).map(
    ([name, s]) => `| \`${name}\` | ${s.required ? 'yes' : 'no'} | ${cell(s.description)} |`
  )
  const outputs = Object.entries(call.outputs ?? {}).map(
    ([name, o]) => `| \`${name}\` | ${cell(o.description)} |`
  )
  return [
    tableStart(file),
    '',
    '| input | type | default | description |',
    '| --- | --- | --- | --- |',
    ...inputs,
    '',
    '| secret | required | description |',
    '| --- | --- | --- |',
    ...secrets,
    '',
    '| output | description |',
    '| --- | --- |',
    ...outputs,
    '',
    tableEnd(file)
  ].join('\n')
}

/** The README with each workflow's tables replaced by fresh ones. */
export function withWorkflowTables(readme, workflows) {
  let text = readme
  for (const [file, workflowText] of Object.entries(workflows)) {
    const start = text.indexOf(tableStart(file))
    const end = text.indexOf(tableEnd(file))
    if (start < 0 || end < start) throw new Error(`README.md has no ${tableStart(file)} block`)
    text =
      text.slice(0, start) +
      workflowTables(file, workflowText) +
      text.slice(end + tableEnd(file).length)
  }
  return text
}

/** Rewrites each workflow's connection blocks; returns the paths it changed. */
export function writeWorkflowConnections() {
  const source = readConnectionSource()
  return rewriteFiles(WORKFLOW_FILES, (text, path) => withConnectionBlocks(text, source, path))
}

/** The workflows' files by their name in the README tables. */
export function readWorkflows() {
  return Object.fromEntries(WORKFLOW_FILES.map(p => [p.split('/').pop(), readFileSync(p, 'utf8')]))
}
