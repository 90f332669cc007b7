import { readCommand, RUNNER_COMMANDS, WorkflowCommand } from './workflow-commands.js'

// How GitHub's runner hides secrets, read from actions/runner:
// - the job's secrets are registered whole (trimmed) and line by line
//   (src/Runner.Worker/Worker.cs InitializeSecretMasker);
// - `::add-mask::VALUE` registers VALUE and each of its trimmed lines, of any
//   length, so a value `1` masks every `1` (ActionCommandManager.cs
//   AddMaskCommandExtension); between `::stop-commands::TOKEN` and `::TOKEN::`
//   no command is acted on (how commands are found: workflow-commands.ts);
// - logs and step summaries are shown with every value registered so far
//   replaced by `***`;
// - a job output whose value the masker would change is dropped with the
//   warning "Skip output '…' since it may contain secret." (JobExtension.cs).

export class SecretMasker {
  private readonly values = new Set<string>()

  /** Registers a secret of the job: the trimmed value and each trimmed line. */
  addSecret(value: string): void {
    this.addMask(value.trim())
  }

  /** A value as it is, with no line of it on its own (the runner's stop token). */
  addValue(value: string): void {
    if (value) this.values.add(value)
  }

  /** `::add-mask::` data: the value as given and each trimmed line. */
  addMask(value: string): void {
    if (value) this.values.add(value)
    for (const line of value.split(/[\r\n]+/)) if (line.trim()) this.values.add(line.trim())
  }

  /** The text as the runner shows it. Longer values first, so a value containing another is masked whole. */
  mask(text: string): string {
    let masked = text
    for (const value of [...this.values].sort((a, b) => b.length - a.length))
      masked = masked.split(value).join('***')
    return masked
  }

  get registered(): string[] {
    return [...this.values]
  }
}

export interface StepOutputReading {
  /** The output as the log shows it. */
  log: string
  /** Every workflow command the runner acts on, in order, fences included. */
  commands: WorkflowCommand[]
  /** Lines whose handling depends on what this stand-in does not model, with why. */
  unmodelled: string[]
  /** The token of a `::stop-commands::` never ended: commands after the step's output stay off. */
  openFence?: string
}

/**
 * Reads a step's output line by line as the runner does
 * (ActionCommandManager.TryProcessCommand): registers `::add-mask::` values,
 * honours `::stop-commands::` fences, and reports every command it acts on.
 * The log shows the stop and resume lines, masked, as the runner echoes them;
 * `::add-mask::` shows as `::add-mask::***`; other lines as they are, masked.
 */
export function readStepOutput(output: string, masker: SecretMasker): StepOutputReading {
  const shown: string[] = []
  const commands: WorkflowCommand[] = []
  const unmodelled: string[] = []
  let stopToken: string | undefined
  // A break at the end ends the last line; the log keeps it.
  for (const line of output.split(/\r\n|\r|\n/)) {
    const registered: string[] = [...RUNNER_COMMANDS, ...(stopToken ? [stopToken] : [])]
    const { command, unsure } = readCommand(line, registered)
    if (unsure) unmodelled.push(`${line} (ICU comparison or non-ASCII casing)`)
    if (!command) {
      shown.push(masker.mask(line))
      continue
    }
    if (stopToken !== undefined) {
      if (command.command === stopToken) {
        commands.push(command)
        stopToken = undefined
      }
      shown.push(masker.mask(line))
      continue
    }
    commands.push(command)
    if (command.command === 'stop-commands') {
      const token = command.data
      if (!token || registered.includes(token.toLowerCase()) || /^pause-logging$/i.test(token))
        unmodelled.push(`${line} (the runner refuses this stop token)`)
      stopToken = token
      if (token.length > 6) masker.addValue(token)
      shown.push(masker.mask(line))
      continue
    }
    if (command.command === 'add-mask') {
      if (command.data.trim()) masker.addMask(command.data)
      shown.push('::add-mask::***')
      continue
    }
    if (['echo', 'add-matcher', 'remove-matcher'].includes(command.command))
      unmodelled.push(`${line} (changes how later lines are read)`)
    shown.push(masker.mask(line))
  }
  return { log: shown.join('\n'), commands, unmodelled, openFence: stopToken }
}

/** The output as the log shows it, after the runner acted on its commands. */
export function processStepOutput(output: string, masker: SecretMasker): string {
  return readStepOutput(output, masker).log
}

/** The job outputs the runner hands on: those the masker leaves unchanged. The rest are dropped with its warning. */
export function keepOutputsWithoutSecrets(
  outputs: Record<string, string>,
  masker: SecretMasker
): { outputs: Record<string, string>; warnings: string[] } {
  const kept: Record<string, string> = {}
  const warnings: string[] = []
  for (const [name, value] of Object.entries(outputs)) {
    if (masker.mask(value) !== value)
      warnings.push(`Skip output '${name}' since it may contain secret.`)
    else kept[name] = value
  }
  return { outputs: kept, warnings }
}
