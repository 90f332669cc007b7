import { forEachHost, mapLimited } from '../core/fleet.js'
import type { StageResult } from '../core/entry.js'
import { CheckResult, checkUntilPassing } from './check.js'
import { placeProbe, remoteProbe } from './remote-probe.js'
import { annotateFailures, reportCertificates, setResultOutputs, writeSummary } from './report.js'
import { runnerProbe } from './runner-probe.js'
import { fromLabel, SmokeCheckSettings, SmokeRemote, SmokeSettings, UrlCheck } from './settings.js'
import { logRemote } from '../core/log.js'

/** Commands at once on one SSH connection; sshd allows 10 sessions per connection by default. */
const CHECKS_PER_HOST = 4

function notChecked(check: UrlCheck, from: string, error: string | undefined): CheckResult {
  return {
    method: check.method,
    url: check.shownUrl,
    from,
    passed: false,
    attempts: 0,
    reason: `not checked: ${error ?? 'the server could not be reached'}`
  }
}

function fromRunner(settings: SmokeSettings, deadline: number): Promise<CheckResult[]> {
  const probe = runnerProbe(settings)
  return Promise.all(
    settings.checks.map(check =>
      checkUntilPassing({
        check,
        from: 'runner',
        probe,
        timing: settings.timing,
        deadline,
        log: line => logRemote(line)
      })
    )
  )
}

async function fromServers(
  settings: SmokeSettings,
  { connection, app }: SmokeRemote,
  deadline: number
): Promise<CheckResult[]> {
  const where = fromLabel(settings.from)
  const outcomes = await forEachHost(connection, async host => {
    const place = await placeProbe(host, settings.from, app)
    const probe = remoteProbe(host, place, settings.from, settings)
    return mapLimited(settings.checks, CHECKS_PER_HOST, check =>
      checkUntilPassing({
        check,
        from: `${where} ${host.label}`,
        probe,
        timing: settings.timing,
        deadline,
        log: line => logRemote(line)
      })
    )
  })
  return outcomes.flatMap(o =>
    o.ok && o.value
      ? o.value
      : settings.checks.map(c => notChecked(c, `${where} ${o.host}`, o.error))
  )
}

/**
 * Checks every URL from where `from` says, sets `passed` and `results` and
 * writes the job summary; not ok when any URL fails.
 */
export async function run(
  settings: SmokeCheckSettings
): Promise<StageResult & { results: CheckResult[] }> {
  const { remote } = settings
  const started = Date.now()
  const deadline = started + settings.timing.waitTimeoutMs
  logRemote(
    `Checking ${settings.checks.length} URL(s) from ${fromLabel(settings.from)}, for at most ${settings.timing.waitTimeoutMs / 1000}s`
  )
  const results =
    remote === undefined
      ? await fromRunner(settings, deadline)
      : await fromServers(settings, remote, deadline)
  const elapsedMs = Date.now() - started

  reportCertificates(results)
  setResultOutputs(results)
  annotateFailures(results)
  await writeSummary(results, elapsedMs)
  const failed = results.filter(r => !r.passed).length
  const seconds = (elapsedMs / 1000).toFixed(1)
  return failed > 0
    ? {
        ok: false,
        results,
        message: `smoke-check: ${failed} of ${results.length} check(s) failed after ${seconds}s`
      }
    : {
        ok: true,
        results,
        message: `smoke-check: all ${results.length} check(s) passed in ${seconds}s`
      }
}
