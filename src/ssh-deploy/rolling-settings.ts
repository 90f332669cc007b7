import { InputError } from '../core/errors.js'
import { InputReader, readDuration } from '../core/inputs.js'

/** A Compose service name, as the inputs that list services accept it. */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

export const STRATEGIES = ['recreate', 'one-by-one', 'rolling'] as const
export type Strategy = (typeof STRATEGIES)[number]

/** How `strategy: rolling` switches traffic and lets old containers go. */
export interface RollingSettings {
  /** Compose service of the reverse proxy, reloaded after each switch; '' = none. */
  proxyService: string
  /** Shell command run inside the proxy service to make it re-resolve service names. */
  proxyReloadCommand: string
  stopGracePeriodMs: number
}

export function readRollingSettings(
  read: InputReader,
  strategy: Strategy,
  services: readonly string[]
): RollingSettings {
  const proxyService = read('proxy-service').trim()
  if (proxyService && !SERVICE_NAME.test(proxyService)) {
    throw new InputError(
      'proxy-service',
      `${JSON.stringify(proxyService)} is not a service name`,
      'Name the one Compose service of the proxy, e.g. nginx'
    )
  }
  if (strategy === 'one-by-one' && services.length === 0) {
    throw new InputError(
      'services',
      'is empty, and strategy: one-by-one updates the services it names, one by one in that order',
      'List them in the order to update, e.g. services: backend, frontend, nginx'
    )
  }
  if (strategy === 'rolling') {
    // "Every service" would include the proxy and the databases, which cannot run twice.
    if (services.length === 0) {
      throw new InputError(
        'services',
        'is empty, and strategy: rolling replaces the services it names, one by one in that order',
        'List the services behind the proxy, e.g. services: backend'
      )
    }
    if (services.includes(proxyService)) {
      throw new InputError(
        'proxy-service',
        `${proxyService} is also in services; the proxy is reloaded, not replaced`,
        'Leave it out of services, or deploy it with strategy: recreate'
      )
    }
  }
  return {
    proxyService,
    proxyReloadCommand: read('proxy-reload-command').trim() || 'nginx -s reload',
    stopGracePeriodMs: readDuration(read, 'stop-grace-period', 10)
  }
}
