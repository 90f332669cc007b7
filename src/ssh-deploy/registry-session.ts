// The registry login of one deploy: each server's docker logs in with a
// configuration directory made for this deploy, every Compose command of the
// deploy uses it, and it is removed when the deploy ends (or, when the main
// step died, in the post step, from the paths saved in the step's state).
import * as core from '@actions/core'
import {
  dockerLogin,
  isDeployDockerConfig,
  mkDockerConfig,
  removeDockerConfig
} from '../commands/registry-login.js'
import { errorMessage } from '../core/errors.js'
import type { HostContext } from '../core/fleet.js'
import type { RegistryLogin } from './registry-settings.js'

const STATE = 'registry-configs'

/** Every configuration directory this step made and has not removed yet, by host label. */
const open = new Map<string, string>()

function saveState(): void {
  core.saveState(STATE, JSON.stringify([...open]))
}

/** The directories the main step left, as its state says; only paths of the kind it makes. */
export function leftConfigs(state: string = core.getState(STATE)): Map<string, string> {
  if (!state) return new Map()
  try {
    const pairs = JSON.parse(state) as unknown
    if (!Array.isArray(pairs)) return new Map()
    return new Map(
      pairs.filter(
        (p): p is [string, string] =>
          Array.isArray(p) &&
          typeof p[0] === 'string' &&
          typeof p[1] === 'string' &&
          isDeployDockerConfig(p[1])
      )
    )
  } catch {
    return new Map()
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' ').trim()
}

/**
 * Logs the host in to the registry for this deploy; returns the DOCKER_CONFIG
 * to run its Compose commands with. A refused login leaves nothing behind
 * and says what to check.
 */
export async function logIn(host: HostContext, login: RegistryLogin): Promise<string> {
  const made = await host.run(mkDockerConfig(), { quiet: true })
  const dir = made.stdout.trim().split('\n').pop() ?? ''
  if (made.code !== 0 || !isDeployDockerConfig(dir)) {
    throw new Error(
      `could not make a private Docker configuration directory in the deploy user's home for the login to ${login.registry}` +
        (lastLines(made.stderr) ? `: ${lastLines(made.stderr)}` : '')
    )
  }
  open.set(host.label, dir)
  saveState()
  host.info(`Logging in to ${login.registry} as ${login.username} for this deploy only (${dir})`)
  const result = await host.run(dockerLogin(dir, login.registry, login.username, login.password))
  if (result.code === 0) return dir
  await logOut(host)
  const detail = lastLines(result.stderr) || lastLines(result.stdout)
  throw new Error(
    `the registry ${login.registry} refused the login as ${login.username}` +
      (detail ? ` (${detail})` : '') +
      `: check registry-username and registry-password (from ${login.passwordFrom})` +
      (login.registry === 'ghcr.io'
        ? '; a workflow token needs `packages: read` in the job’s permissions'
        : '')
  )
}

/** Removes the host's configuration directory of this deploy, and the login in it. */
export async function logOut(host: HostContext): Promise<void> {
  const dir = open.get(host.label)
  if (!dir) return
  try {
    await host.check(removeDockerConfig(dir), { quiet: true })
    open.delete(host.label)
    saveState()
  } catch (err) {
    core.warning(
      `${host.label}: could not remove the registry login of this deploy (${dir}); the post step tries again: ${errorMessage(err)}`
    )
  }
}

/** The post step: removes what a main step that died left on `host`. */
export async function removeLeftConfig(host: HostContext, dir: string): Promise<void> {
  await host.check(removeDockerConfig(dir), { quiet: true })
  host.info('Removed the registry login left by this run')
}
