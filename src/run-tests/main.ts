import * as core from '@actions/core'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StageResult } from '../core/entry.js'
import { collectResults, snapshotReports } from './collect.js'
import { installCommands, testCommand } from './commands.js'
import { goEventText } from './go-json.js'
import { annotate, failureMessage, failuresOf, setCountOutputs, writeSummary } from './report.js'
import { runCommand } from './run-command.js'
import { TestSettings } from './settings.js'

async function install(s: TestSettings): Promise<void> {
  if (s.framework === 'command') {
    core.warning('install: true does nothing for framework: command; install in the command')
    return
  }
  const commands = installCommands(
    s.framework,
    { has: file => existsSync(join(s.workingDirectory, file)) },
    s
  )
  if (commands.length === 0) core.info(`No dependency file to install from for ${s.framework}`)
  for (const argv of commands) {
    const result = await core.group(`Install: ${argv.join(' ')}`, () =>
      runCommand(argv, { cwd: s.workingDirectory })
    )
    if (result.code !== 0) {
      throw new Error(
        `installing dependencies failed: \`${argv.join(' ')}\` exited with code ${result.code}`
      )
    }
  }
}

/**
 * Runs the suite, reads its results, sets `passed`, `failed` and `skipped`,
 * annotates each failed test and writes the summary. A failing suite is not
 * ok, its message naming the failed tests in the first line.
 */
export async function run(s: TestSettings): Promise<StageResult> {
  core.info(`Framework: ${s.framework} (${s.reason}) in ${s.workingDirectory}`)
  if (s.install) await install(s)

  const tempDir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'deploykit-test-'))
  try {
    const pytestJunit = join(tempDir, 'pytest-junit.xml')
    const cmd = testCommand(s.framework, {
      python: s.python,
      packageManager: s.packageManager,
      command: s.command,
      pytestJunit,
      pytestAddopts: process.env.PYTEST_ADDOPTS
    })
    const before = snapshotReports(s.junit)
    const result = await runCommand(cmd.argv, {
      cwd: s.workingDirectory,
      env: cmd.env,
      display: s.framework === 'go' ? goEventText : undefined
    })
    const results = collectResults(s, result, { before, pytestJunit })
    const failures = failuresOf(results, s)

    setCountOutputs(results)
    annotate(failures)
    await writeSummary({
      settings: s,
      argv: cmd.argv,
      results,
      failures,
      exitCode: result.code,
      wallSeconds: result.seconds
    })
    const failed = failureMessage(results, failures, result.code)
    if (failed) return { ok: false, message: failed }
    const c = results?.counts
    return {
      ok: true,
      message: c
        ? `${c.passed} passed, ${c.skipped} skipped in ${result.seconds.toFixed(1)}s`
        : `The test command passed in ${result.seconds.toFixed(1)}s (no per-test results found)`
    }
  } finally {
    rmSync(tempDir, { recursive: true, force: true })
  }
}
