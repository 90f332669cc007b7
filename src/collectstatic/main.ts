import * as core from '@actions/core'
import { collectstaticArgv } from '../commands/collectstatic.js'
import {
  AppSettings,
  detectCompose,
  findPython,
  inService,
  liveReleaseDir,
  projectFor,
  readAppSettings,
  ServiceMode
} from '../core/compose.js'
import { ConnectionSettings, readConnectionSettings } from '../core/connection-settings.js'
import { InputError } from '../core/errors.js'
import { forEachHost } from '../core/fleet.js'
import { InputReader, readBoolean, readChoice } from '../core/inputs.js'
import { StageResult } from '../core/entry.js'
import { readService } from '../migrate/settings.js'
import { summaryRow } from '../core/html.js'

export interface CollectstaticSettings {
  connection: ConnectionSettings
  app: AppSettings
  service: string
  mode: ServiceMode
  clear: boolean
  settings: string
  python: string
}

/** `connection` is given by a caller that read the connection inputs already (the root action). */
export function readCollectstaticSettings(
  read: InputReader,
  connection?: ConnectionSettings
): CollectstaticSettings {
  const settings = read('settings').trim()
  if (settings && !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(settings)) {
    throw new InputError(
      'settings',
      `${JSON.stringify(settings)} is not a Python module path`,
      'For example: mysite.settings.production'
    )
  }
  const python = read('python').trim()
  if (python && !/^[A-Za-z0-9_./-]+$/.test(python))
    throw new InputError('python', `${JSON.stringify(python)} is not an interpreter path`)
  return {
    connection: connection ?? readConnectionSettings(read),
    app: readAppSettings(read),
    service: readService(read, 'service', 'backend'),
    mode: readChoice(read, 'mode', ['exec', 'run'] as const, 'exec') as ServiceMode,
    clear: readBoolean(read, 'clear', false),
    settings,
    python
  }
}

/** "3 static files copied to '/static', 5 unmodified." → 3 */
export function filesCopied(output: string): number | undefined {
  const m = /(\d+) static files? copied/.exec(output)
  if (m) return Number(m[1])
  return /0 static files|static files? copied|unmodified/.test(output) ? 0 : undefined
}

/** Turns Django's long tracebacks into the one cause a person can act on. */
export function explainFailure(output: string): string {
  if (/No module named '?django'?/.test(output) || /Couldn't import Django/.test(output)) {
    return 'Django is not importable in the service: is this the Django container, with its dependencies installed?'
  }
  if (/STATIC_ROOT/.test(output))
    return 'STATIC_ROOT is not set in the Django settings: collectstatic needs a directory to copy to'
  const lines = output
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean)
  return lines[lines.length - 1] ?? 'no output'
}

export async function run(s: CollectstaticSettings): Promise<StageResult> {
  const outcomes = await forEachHost(s.connection, host =>
    core.group(`${host.label}: collectstatic`, async () => {
      const binary = await detectCompose(host, s.app.composeChoice)
      const project = projectFor(s.app, binary, await liveReleaseDir(host, s.app.appDir))
      const python = s.python || (await findPython(host, project, s.mode, s.service))
      const result = await host.run(
        inService(project, s.mode, s.service, collectstaticArgv(python, s))
      )
      const output = `${result.stdout}\n${result.stderr}`
      if (result.code !== 0) throw new Error(`collectstatic failed: ${explainFailure(output)}`)
      return filesCopied(result.stdout) ?? 0
    })
  )
  const copied = outcomes.find(o => o.ok)?.value ?? 0
  core.setOutput('files-copied', String(copied))
  await core.summary
    .addHeading('collectstatic', 2)
    .addTable([
      [
        { data: 'host', header: true },
        { data: 'result', header: true },
        { data: 'files copied', header: true }
      ],
      ...outcomes.map(o =>
        summaryRow([o.host, o.ok ? '✅' : `❌ ${o.error ?? ''}`, String(o.value ?? '')])
      )
    ])
    .write()
  const failed = outcomes.filter(o => !o.ok)
  if (failed.length) return { ok: false, message: failed.map(o => o.error).join('\n') }
  return { ok: true, message: `collectstatic: ${copied} file(s) copied` }
}
