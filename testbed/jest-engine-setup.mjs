// Jest's global setup for the suites that need Docker: one engine for the whole
// run, started before the first file (stopped by jest-engine-teardown.mjs after
// the last), so files that run side by side share it and none stops it under
// another. Each file's ensureDocker() then finds it answering and leaves it
// alone. An engine that was running before the run is used and left running.
import { tsImport } from 'tsx/esm/api'

export default async function startEngine() {
  const key = Symbol.for('deploykit.jestEnginePid')
  if (globalThis[key] !== undefined) return // the other project's setup ran first
  const { ensureDocker } = await tsImport('./docker.ts', import.meta.url)
  globalThis[key] = (await ensureDocker()).startedPid ?? 0
}
