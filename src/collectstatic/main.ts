import * as core from '@actions/core'
import { collectstaticArgv } from '../commands/collectstatic.js'
import { detectCompose, findPython, liveReleaseDir, projectFor } from '../server/compose.js'
import { inService } from '../commands/compose.js'
import { forEachHost } from '../core/fleet.js'
import { StageResult } from '../core/entry.js'
import { CollectstaticSettings } from './settings.js'
import { summaryRow } from '../core/html.js'

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
