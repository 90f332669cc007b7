import * as exec from '@actions/exec'
import { errorMessage } from '../core/errors.js'
import { logRemote, remoteLineLog } from '../core/log.js'
import { processEnv } from '../core/process-env.js'
import { commandLine } from '../core/shell.js'

export interface DockerResult {
  code: number
  stdout: string
  stderr: string
}

export interface DockerOptions {
  /** Put before every logged line, to tell images apart when they build at once. */
  prefix?: string
  /** Written to the command's standard input (the login password). */
  stdin?: string
  /** Added to the action's own environment (DOCKER_CONFIG and the like pass through). */
  env?: Record<string, string>
  /** Run without logging the command or its output. */
  quiet?: boolean
}

/**
 * Runs the docker CLI on the runner from an argv (never a shell string),
 * streaming its output into the log line by line. Does not throw on a
 * non-zero exit.
 */
export async function docker(
  args: readonly string[],
  opts: DockerOptions = {}
): Promise<DockerResult> {
  const prefix = opts.prefix ?? ''
  if (!opts.quiet) logRemote(`$ ${commandLine(['docker', ...args])}`, prefix)
  // Registries and the build's own steps speak through this output: it is data.
  const out = remoteLineLog(prefix)
  const err = remoteLineLog(prefix)
  let stdout = ''
  let stderr = ''
  try {
    const code = await exec.exec('docker', [...args], {
      silent: true,
      ignoreReturnCode: true,
      input: opts.stdin === undefined ? undefined : Buffer.from(opts.stdin),
      env: processEnv(opts.env),
      listeners: {
        stdout: data => {
          const text = data.toString('utf8')
          stdout += text
          if (!opts.quiet) out.push(text)
        },
        stderr: data => {
          const text = data.toString('utf8')
          stderr += text
          if (!opts.quiet) err.push(text)
        }
      }
    })
    return { code, stdout, stderr }
  } catch (error) {
    // @actions/exec throws only when the binary cannot be started at all.
    return { code: -1, stdout, stderr: `${stderr}${errorMessage(error)}` }
  } finally {
    out.flush()
    err.flush()
  }
}

/** The docker CLI with the same variables added to every call: all of one run use one DOCKER_CONFIG. */
export interface DockerCli {
  run(args: readonly string[], opts?: DockerOptions): Promise<DockerResult>
  checked(args: readonly string[], opts?: DockerOptions): Promise<DockerResult>
}

export function dockerCli(env: Record<string, string> = {}): DockerCli {
  const withEnv = (opts: DockerOptions = {}) => ({ ...opts, env: { ...env, ...opts.env } })
  return {
    run: (args, opts) => docker(args, withEnv(opts)),
    checked: (args, opts) => dockerChecked(args, withEnv(opts))
  }
}

/**
 * The registries a credential helper (`credsStore: NAME` runs
 * `docker-credential-NAME`) holds logins for, from its `list` command: JSON
 * keyed by server address. Throws when the helper cannot say.
 */
export async function credentialStoreHosts(store: string): Promise<string[]> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(store)) throw new Error(`"${store}" is no helper name`)
  let stdout = ''
  const code = await exec.exec(`docker-credential-${store}`, ['list'], {
    silent: true,
    ignoreReturnCode: true,
    listeners: { stdout: data => (stdout += data.toString('utf8')) }
  })
  if (code !== 0) throw new Error(`docker-credential-${store} list exited with code ${code}`)
  const listed = JSON.parse(stdout || '{}') as unknown
  if (!listed || typeof listed !== 'object')
    throw new Error(`docker-credential-${store} list gave no object`)
  return Object.keys(listed)
}

/** The banner the docker CLI prints on every classic build; it explains no failure. */
const LEGACY_BUILDER_NOTICE =
  /^(DEPRECATED: The legacy builder|\s+(BuildKit is currently disabled|environment-variable\.|Install the buildx component|https:\/\/docs\.docker\.com\/go\/buildx))/

/** `docker build`, `docker buildx build`, `docker push REF`: the words before the first flag. */
function commandName(args: readonly string[]): string {
  const firstFlag = args.findIndex(a => a.startsWith('-'))
  return ['docker', ...(firstFlag < 0 ? args : args.slice(0, firstFlag))].join(' ')
}

/** Like `docker`, but throws with the command and the end of its error output unless it exits 0. */
export async function dockerChecked(
  args: readonly string[],
  opts: DockerOptions = {}
): Promise<DockerResult> {
  const result = await docker(args, opts)
  if (result.code !== 0) {
    const tail = result.stderr
      .split('\n')
      .filter(line => line.trim() !== '' && !LEGACY_BUILDER_NOTICE.test(line))
      .slice(-5)
      .join('\n')
    throw new Error(
      `\`${commandName(args)}\` exited with code ${result.code}${tail ? `: ${tail}` : ''}`
    )
  }
  return result
}
