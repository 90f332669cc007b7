// Stops the engine jest-engine-setup.mjs started, by its pid, after the last file.
import { tsImport } from 'tsx/esm/api'

export default async function stopEngine() {
  const key = Symbol.for('deploykit.jestEnginePid')
  const pid = globalThis[key]
  globalThis[key] = 0
  if (!pid) return
  const { stopDocker } = await tsImport('./docker.ts', import.meta.url)
  await stopDocker(pid)
}
