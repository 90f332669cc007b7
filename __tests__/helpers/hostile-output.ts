import { quote } from '../../src/core/shell.js'
import type { StepOutputReading } from '../../testbed/secret-masker.js'
import type { WorkflowCommand } from '../../testbed/workflow-commands.js'

/**
 * What a compromised or careless server prints: each line is a workflow
 * command GitHub's runner acts on when it reaches the log as it is. The last
 * one would switch commands off for the rest of the step.
 */
export const HOSTILE_LINES = [
  '::add-mask::Deploy',
  '::set-output name=x::y',
  '::error title=t::m',
  '##[set-output name=x;]y',
  'progress 50% ##[add-path]/tmp/evil-bin',
  '\u00a0 ::notice title=n::forged notice',
  '::ADD-MASK::Release',
  '::group::forged group',
  '::stop-commands::guess'
]

/** A shell script printing every hostile line to stdout and again to stderr, the CR-ended one too. */
export function hostileScript(): string {
  const text = HOSTILE_LINES.join('\n')
  return `printf '%s\\n' ${quote(text)}; printf 'half\\r::warning::after a CR\\n'; printf '%s\\n' ${quote(text)} >&2`
}

/** A container label that becomes a line of its own in the log when shown raw. */
export const HOSTILE_LABEL = 'web\n::warning::x'

/**
 * A debug line as @actions/core's `core.debug` writes it: `::debug::` at the
 * very start, the data's `%`, CR and LF escaped, so whatever the data quotes
 * (a command, a server's error) stays inside that one command. deploy-kit
 * writes these itself; a server's text reaching the log unfenced is caught by
 * the other hostile lines it prints with it.
 */
function ownDebugLine(c: WorkflowCommand): boolean {
  const escaped = c.data.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
  return c.command === 'debug' && c.syntax === 'v2' && c.line === `::debug::${escaped}`
}

/**
 * The commands the runner acted on that came from hostile text rather than
 * from deploy-kit: none of these is anything deploy-kit itself issues.
 */
export function serverCommandsActedOn(reading: StepOutputReading): WorkflowCommand[] {
  return reading.commands.filter(
    c =>
      ['set-output', 'notice', 'add-path', 'set-env', 'save-state', 'echo'].includes(c.command) ||
      (c.command === 'debug' && !ownDebugLine(c)) ||
      (c.command === 'add-mask' && ['Deploy', 'Release'].includes(c.data)) ||
      (c.command === 'error' && (c.properties.title === 't' || c.data === 'm')) ||
      (c.command === 'warning' && /^(x|after a CR)\b/.test(c.data)) ||
      (c.command === 'group' && c.data === 'forged group') ||
      (c.command === 'stop-commands' && !/^[0-9a-f]{32}$/.test(c.data))
  )
}
