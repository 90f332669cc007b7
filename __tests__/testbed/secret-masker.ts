// How GitHub's runner hides secrets, read from actions/runner:
// - the job's secrets are registered whole (trimmed) and line by line
//   (src/Runner.Worker/Worker.cs InitializeSecretMasker);
// - `::add-mask::VALUE` registers VALUE and each of its trimmed lines, of any
//   length, so a value `1` masks every `1` (ActionCommandManager.cs
//   AddMaskCommandExtension); between `::stop-commands::TOKEN` and `::TOKEN::`
//   no command is acted on;
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

/**
 * Acts on the `::add-mask::` commands in a step's output the way the runner
 * reads them line by line, and returns the output as the log shows it.
 */
export function processStepOutput(output: string, masker: SecretMasker): string {
  const shown: string[] = []
  let stopToken: string | undefined
  for (const line of output.split('\n')) {
    const plain = line.replace(/\r$/, '')
    if (stopToken !== undefined) {
      if (plain === `::${stopToken}::`) stopToken = undefined
      else shown.push(masker.mask(line))
      continue
    }
    const stop = /^::stop-commands::(.+)$/.exec(plain)
    if (stop) {
      stopToken = stop[1]
      continue
    }
    const addMask = /^::add-mask::(.*)$/.exec(plain)
    if (addMask) {
      const data = addMask[1].replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
      if (data.trim()) masker.addMask(data)
      shown.push('::add-mask::***')
      continue
    }
    shown.push(masker.mask(line))
  }
  return shown.join('\n')
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
