import { posix } from 'node:path'
import { envDialect, mergeEnv, missingEnv } from '../env-file.js'
import { envFileUpdates } from '../env-values.js'
import { fileCommands } from '../../commands/files.js'
import type { Chosen, HostDeploy } from './context.js'

/** The env file this release runs with, worked out before anything changes. */
export interface EnvPlan {
  path: string
  text: string
  /** Taken from the snapshot of the release rolled back to. */
  restored: boolean
}

/**
 * Reads the env file and merges vars and env into it (or takes a rollback
 * target's snapshot), and refuses when required-env is not all set.
 * Changes nothing, so nothing to undo.
 */
export async function prepareEnv(d: HostDeploy, { target }: Chosen): Promise<EnvPlan | undefined> {
  const { s, host, paths } = d
  const dialect = envDialect(d.binary)
  let env: EnvPlan | undefined
  if (s.app.envFile) {
    const path = posix.join(s.app.appDir, s.app.envFile)
    const before = (await host.check(fileCommands.read(path), { quiet: true })).stdout
    const snapshot = target
      ? await host.run(fileCommands.read(paths.envSnapshot(target.id)), { quiet: true })
      : undefined
    env = snapshot?.stdout
      ? { path, text: snapshot.stdout, restored: true }
      : { path, text: mergeEnv(before, envFileUpdates(s), dialect), restored: false }
  } else if (s.vars.length > 0 || s.env.length > 0 || s.requiredEnv.length > 0) {
    throw new Error(
      'vars, env and required-env need env-file: the file on the server to write and check'
    )
  }
  const missing = missingEnv(env?.text ?? '', s.requiredEnv, dialect)
  if (missing.length > 0) {
    throw new Error(
      `required-env: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing or empty in ${env?.path}; nothing was changed`
    )
  }
  return env
}
