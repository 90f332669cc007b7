import { InputReader } from '../core/inputs.js'

/**
 * The root action takes ssh-deploy's inputs as they are and each later
 * stage's inputs under the stage's prefix. Each stage reads its own names
 * through one of these views; a name not mapped reads through unchanged.
 */
export function stageReader(
  read: InputReader,
  renames: Record<string, string>,
  fixed: Record<string, string> = {}
): InputReader {
  return (name, options) => {
    if (name in fixed) return fixed[name]
    if (name in renames) return read(renames[name], options)
    return read(name, options)
  }
}

export function migrateReader(read: InputReader, direction: 'up' | 'down' = 'up'): InputReader {
  return stageReader(
    read,
    {
      tool: 'migrate-tool',
      service: 'migrate-service',
      mode: 'migrate-mode',
      command: 'migrate-command',
      'down-command': 'migrate-down-command'
    },
    direction === 'up'
      ? { direction: 'up', target: '', 'plan-only': 'false' }
      : // The backup settings are the deploy's: a down-migration is preceded by a fresh dump.
        { direction: 'down', target: read('migrate-down-target'), 'plan-only': 'false' }
  )
}

export function collectstaticReader(read: InputReader): InputReader {
  return stageReader(
    read,
    { service: 'collectstatic-service', clear: 'collectstatic-clear' },
    { mode: 'exec', settings: '' }
  )
}

export function smokeReader(read: InputReader): InputReader {
  const fromRunner = (read('smoke-from').trim() || 'runner') === 'runner'
  return stageReader(
    read,
    {
      urls: 'smoke-urls',
      from: 'smoke-from',
      'expect-status': 'smoke-expect-status',
      'expect-json': 'smoke-expect-json',
      'wait-timeout': 'smoke-wait-timeout'
    },
    // Names the root action uses for other things must not leak into the smoke check.
    {
      timeout: '',
      headers: '',
      'expect-body': '',
      'max-attempts': '',
      'retry-delay': '',
      'max-latency-ms': '',
      'follow-redirects': '',
      'insecure-tls': '',
      // The servers' address is the deploy's; from the runner it is not used.
      ...(fromRunner ? { host: '' } : {})
    }
  )
}
