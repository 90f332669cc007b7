import * as core from '@actions/core'
import { StageResult } from '../core/entry.js'
import { ResolvedSettings } from './settings.js'
import { logRemote } from '../core/log.js'

export interface ConfigResult extends StageResult {
  settings: ResolvedSettings
}

export async function run(settings: ResolvedSettings): Promise<ConfigResult> {
  const given = Object.entries(settings.values).filter(([, v]) => v.trim() !== '')
  core.startGroup(`Settings: ${given.length} given`)
  for (const [key, value] of given) {
    const where = settings.fromFile.includes(key) ? settings.config!.path : 'input'
    logRemote(
      `${key} (${where}): ${value.includes('\n') ? `\n  ${value.trim().split('\n').join('\n  ')}` : value}`
    )
  }
  core.endGroup()
  const file = settings.config?.path
  return {
    ok: true,
    message: file
      ? `${settings.fromFile.length} setting(s) from ${file}, ${given.length - settings.fromFile.length} from inputs`
      : `no config file: ${given.length} setting(s) from inputs`,
    settings
  }
}

export function setOutputs(result: ConfigResult): void {
  const { settings } = result
  for (const [key, value] of Object.entries(settings.values)) core.setOutput(key, value)
  core.setOutput('config-file', settings.config?.path ?? '')
  core.setOutput('from-file', settings.fromFile.join('\n'))
}
