import { COMPOSE_V1, COMPOSE_V2 } from '../../commands/compose.js'
import { ComposeWanted, PREFLIGHT_LOG_MARK, preflightCommand } from '../../commands/preflight.js'
import { statePaths } from '../../commands/state-paths.js'
import type { ComposeChoice } from '../../core/app-settings.js'
import type { HostContext } from '../../core/fleet.js'
import { currentRelease, parseReleaseLog, ReleaseRecord } from '../release-log.js'
import type { DeploySettings } from '../settings.js'

/** What the check before any change found on one host. */
export interface Preflight {
  /** What stops a deploy there, each a sentence with its fix; empty when the host is ready. */
  problems: string[]
  /** The Compose the host has. */
  binary?: readonly string[]
  /**
   * The release the host runs before this run, as its own release log says
   * (after a rollback: the release whose files the rollback put back).
   */
  live?: ReleaseRecord
}

const WANTED: Record<ComposeChoice, ComposeWanted> = {
  auto: 'auto',
  'docker compose': 'v2',
  'docker-compose': 'v1'
}

/** The docker CLI's own words for why it could not reach the daemon, as a sentence with its fix. */
export function dockerDaemonProblem(detail: string): string {
  const denied = /permission denied[^\n]*?(unix:\/\/)?(\/[\w./-]+\.sock)/i.exec(detail)
  if (denied)
    return `the user cannot reach the Docker daemon (permission denied on ${denied[2]}): add it to the docker group`
  if (/permission denied/i.test(detail))
    return `the user cannot reach the Docker daemon (permission denied): add it to the docker group`
  return `the Docker daemon does not answer (${detail.trim().slice(0, 200)}): start it, or check DOCKER_HOST`
}

function problemText(kind: string, detail: string, s: DeploySettings): string {
  switch (kind) {
    case 'docker-missing':
      return `docker is not installed (not on PATH ${detail}): install Docker`
    case 'docker-daemon':
      return dockerDaemonProblem(detail)
    case 'compose':
      return s.app.composeChoice === 'auto'
        ? 'neither `docker compose` nor `docker-compose` works: install Docker Compose'
        : `\`${s.app.composeChoice}\` does not work (compose-command: ${s.app.composeChoice})`
    case 'app-dir-not-dir':
      return `${detail} is not a directory, so app-dir ${s.app.appDir} cannot be made`
    case 'app-dir-not-writable':
      return `the user cannot write to ${detail} (app-dir: ${s.app.appDir}): give it to the deploy user`
    case 'disk': {
      const [freeKib, dir] = [detail.split(' ')[0], detail.split(' ').slice(1).join(' ')]
      return `only ${Math.floor(Number(freeKib) / 1024)} MB free on ${dir}, below min-free-mb ${s.fleet.minFreeMb}: free some space`
    }
    case 'disk-unknown':
      return `could not read the free space on ${detail}`
    default:
      return `${kind}: ${detail}`
  }
}

/** Reads what the preflight command printed. */
export function parsePreflight(stdout: string, s: DeploySettings): Preflight {
  const at = stdout.indexOf(PREFLIGHT_LOG_MARK + '\n')
  const checks = at < 0 ? stdout : stdout.slice(0, at)
  const log = at < 0 ? '' : stdout.slice(at + PREFLIGHT_LOG_MARK.length + 1)
  const problems: string[] = []
  let binary: readonly string[] | undefined
  for (const line of checks.split('\n')) {
    const [what, kind, ...rest] = line.split('\t')
    if (what === 'problem') problems.push(problemText(kind, rest.join('\t'), s))
    if (what === 'compose') binary = kind === 'v1' ? COMPOSE_V1 : COMPOSE_V2
  }
  if (at < 0) problems.push('the checks did not finish')
  const records = parseReleaseLog(log)
  return { problems, binary, live: filesOf(records, currentRelease(records)) }
}

/**
 * A rollback is recorded as a release of its own that runs the files of the
 * release it went back to: going back to it means going back to that one.
 */
export function filesOf(
  records: readonly ReleaseRecord[],
  release: ReleaseRecord | undefined
): ReleaseRecord | undefined {
  const seen = new Set<string>()
  let at = release
  while (at?.rollbackOf && !seen.has(at.id)) {
    seen.add(at.id)
    const original = records.find(r => r.id === at!.rollbackOf)
    if (!original) break
    at = original
  }
  return at
}

/** Checks one host before anything changes on any host, in one command. Changes nothing. */
export async function preflightHost(host: HostContext, s: DeploySettings): Promise<Preflight> {
  const result = await host.run(
    preflightCommand({
      appDir: s.app.appDir,
      // A way back needs little room, and is not to be refused when it is short.
      minFreeKib: s.rollbackTo ? 0 : s.fleet.minFreeMb * 1024,
      compose: WANTED[s.app.composeChoice],
      log: statePaths(s.app.appDir).log
    }),
    { quiet: true }
  )
  const found = parsePreflight(result.stdout, s)
  if (result.code !== 0)
    found.problems.push(`the checks exited with code ${result.code ?? result.signal}`)
  return found
}
