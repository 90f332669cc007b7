import * as core from '@actions/core'
import { errorMessage } from '../core/errors.js'
import type { Fleet, FleetMember } from '../core/fleet.js'
import type { Preflight } from './host-deploy/preflight.js'
import { logIn, logOut } from './registry-session.js'
import type { RegistryLogin } from './registry-settings.js'

export interface FleetLogin {
  /** Every host logged in: the deploy may go on. */
  ok: boolean
  /** Each host's DOCKER_CONFIG for this deploy. */
  configs: ReadonlyMap<string, string>
  /** Removes every host's login of this deploy. */
  logOut(): Promise<void>
}

/**
 * Logs every host in to the registry for this deploy, after the checks and
 * before any change. A host the registry refuses is refused like a failed
 * check (its problem says why), and no host keeps a login.
 */
export async function logInFleet(
  fleet: Fleet,
  members: readonly FleetMember[],
  login: RegistryLogin | undefined,
  checks: ReadonlyMap<string, Preflight>
): Promise<FleetLogin> {
  const configs = new Map<string, string>()
  const out = async () => {
    await fleet.each(
      members.filter(m => configs.has(m.label)),
      async host => {
        await logOut(host)
        configs.delete(host.label)
      }
    )
  }
  if (!login) return { ok: true, configs, logOut: out }
  let ok = true
  await core.group(`Registry: logging every host in to ${login.registry} for this deploy`, () =>
    fleet.each(members, async host => {
      try {
        configs.set(host.label, await logIn(host, login))
      } catch (err) {
        ok = false
        checks.get(host.label)?.problems.push(errorMessage(err))
      }
    })
  )
  if (!ok) await out()
  return { ok, configs, logOut: out }
}
