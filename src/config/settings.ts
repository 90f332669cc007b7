import { AppConfig, loadAppConfig, withAppConfig } from '../core/app-config.js'
import { CONFIG_KEYS } from '../core/app-config-keys.mjs'
import { InputReader } from '../core/inputs.js'

/** Each key of the config file as the inputs over the file give it. */
export interface ResolvedSettings {
  config?: AppConfig
  /** Every key, '' where neither the input nor the file gives it. */
  values: Record<string, string>
  /** The keys the file gave and no input overrode, in the file's order. */
  fromFile: string[]
}

/**
 * Reads and checks the config file and layers the inputs over it. Values are
 * passed on as given: the action that takes a setting checks it and applies
 * its default.
 */
export function resolveSettings(read: InputReader): ResolvedSettings {
  const config = loadAppConfig(read)
  const layered = withAppConfig(read, config)
  const values = Object.fromEntries(
    CONFIG_KEYS.map(key => [key, layered(key, { keepWhitespace: true })])
  )
  const fromFile = Object.keys(config?.values ?? {}).filter(key => read(key).trim() === '')
  return { config, values, fromFile }
}
