// The inputs and outputs tables in each action's README are made from its
// action.yml, so the two cannot drift: `npm run docs` rewrites them and a
// test fails when a README is out of date.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

export const ACTION_DIRS = [
  '.',
  'test',
  'build-image',
  'ssh-deploy',
  'migrate',
  'collectstatic',
  'smoke-check',
  'ssh',
  'config'
]

const START = '<!-- inputs:start (made from action.yml by npm run docs) -->'
const END = '<!-- inputs:end -->'

const cell = text => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function readAction(dir) {
  return parse(readFileSync(`${dir}/action.yml`, 'utf8'))
}

/** `Default: \`x\`.` at the end of a description: the default of an input the code applies. */
const STATED_DEFAULT = / Default: `([^`]*)`\.$/

/**
 * An input's default and the description to show beside it. An input that the app's config
 * file may set has no `default:` in action.yml (the runner would pass it as if the caller had
 * given it); its description ends with the default the code applies.
 */
export function inputDefault(input) {
  const given = String(input.default ?? '')
  const stated = STATED_DEFAULT.exec(String(input.description ?? ''))
  if (given !== '' || !stated) return { value: given, description: input.description }
  return { value: stated[1], description: input.description.slice(0, stated.index) }
}

export function tables(action) {
  const rows = Object.entries(action.inputs ?? {}).map(([name, i]) => {
    const { value, description } = inputDefault(i)
    return `| \`${name}\` | ${i.required ? 'yes' : 'no'} | ${i.required || value === '' ? '' : `\`${cell(value)}\``} | ${cell(description)} |`
  })
  const outputs = Object.entries(action.outputs ?? {}).map(
    ([name, o]) => `| \`${name}\` | ${cell(o.description)} |`
  )
  return [
    START,
    '',
    '### Inputs',
    '',
    '| name | required | default | description |',
    '| --- | --- | --- | --- |',
    ...rows,
    ...(outputs.length
      ? ['', '### Outputs', '', '| name | description |', '| --- | --- |', ...outputs]
      : []),
    '',
    END
  ].join('\n')
}

/** The README text with its tables replaced by fresh ones. */
export function withFreshTables(readme, action) {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < 0) throw new Error(`README has no ${START} … ${END} block`)
  return readme.slice(0, start) + tables(action) + readme.slice(end + END.length)
}

/** Rows of the README's inputs table as [name, required, default, description], whatever its column padding. */
export function readmeInputRows(readme) {
  const block = readme.slice(readme.indexOf(START), readme.indexOf(END))
  const section = block.slice(
    block.indexOf('### Inputs'),
    block.includes('### Outputs') ? block.indexOf('### Outputs') : undefined
  )
  return section
    .split('\n')
    .filter(l => l.startsWith('| `'))
    .map(l =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map(c => c.trim())
    )
}

export function expectedInputRows(action) {
  return tables(action)
    .split('\n')
    .filter(l => l.startsWith('| `') && l.split(/(?<!\\)\|/).length === 6)
    .map(l =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map(c => c.trim())
    )
}
