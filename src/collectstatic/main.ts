import * as core from '@actions/core'
import { collectstaticArgv } from '../commands/collectstatic.js'
import { detectCompose, findPython, liveReleaseDir, projectFor } from '../server/compose.js'
import { inService } from '../commands/compose.js'
import { forEachHost } from '../core/fleet.js'
import { StageResult } from '../core/entry.js'
import { CollectstaticSettings } from './settings.js'
import { summaryRow } from '../core/html.js'
import { chooseClear, ClearChoice, clearReason, liveRelease } from './clear.js'

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

interface HostResult {
  copied: number
  clear: ClearChoice
}

export interface CollectstaticOptions {
  /** The caller has just rolled the hosts back: collect with `--clear`, whatever the log says. */
  afterRollback?: boolean
}

export async function run(
  s: CollectstaticSettings,
  opts: CollectstaticOptions = {}
): Promise<StageResult> {
  const outcomes = await forEachHost(s.connection, host =>
    core.group(`${host.label}: collectstatic`, async (): Promise<HostResult> => {
      const binary = await detectCompose(host, s.app.composeChoice)
      const project = projectFor(s.app, binary, await liveReleaseDir(host, s.app.appDir))
      const python = s.python || (await findPython(host, project, s.mode, s.service))
      const clear = chooseClear({
        clearInput: s.clear,
        afterRollback: opts.afterRollback ?? false,
        live: await liveRelease(host, s.app.appDir)
      })
      if (clear.clear && clear.reason === 'rollback')
        host.info(
          `Collecting with --clear: ${clearReason(clear)}, and STATIC_ROOT must end with that release's files; ` +
            'Django would keep the copies the later release left, as they are newer than their sources'
        )
      const result = await host.run(
        inService(
          project,
          s.mode,
          s.service,
          collectstaticArgv(python, { ...s, clear: clear.clear })
        )
      )
      const output = `${result.stdout}\n${result.stderr}`
      if (result.code !== 0) throw new Error(`collectstatic failed: ${explainFailure(output)}`)
      return { copied: filesCopied(result.stdout) ?? 0, clear }
    })
  )
  const copied = outcomes.find(o => o.ok)?.value?.copied ?? 0
  core.setOutput('files-copied', String(copied))
  await core.summary
    .addHeading('collectstatic', 2)
    .addTable([
      [
        { data: 'host', header: true },
        { data: 'result', header: true },
        { data: 'files copied', header: true },
        { data: 'cleared first', header: true }
      ],
      ...outcomes.map(o =>
        summaryRow([
          o.host,
          o.ok ? '✅' : `❌ ${o.error ?? ''}`,
          String(o.value?.copied ?? ''),
          o.value ? clearReason(o.value.clear) || 'no' : ''
        ])
      )
    ])
    .write()
  const failed = outcomes.filter(o => !o.ok)
  if (failed.length) return { ok: false, message: failed.map(o => o.error).join('\n') }
  const cleared = outcomes.filter(o => o.value?.clear.clear)
  const why = cleared.some(o => o.value?.clear.clear && o.value.clear.reason === 'rollback')
    ? ', after a rollback: the files of the release gone back to, not the newer copies the later release left'
    : ''
  const where =
    cleared.length === outcomes.length ? '' : ` on ${cleared.length} of ${outcomes.length} host(s)`
  return {
    ok: true,
    message: `collectstatic: ${copied} file(s) copied${cleared.length ? ` with --clear${where}${why}` : ''}`
  }
}
