/**
 * The env file's values from the inputs, as Kamal splits them into
 * env.clear and env.secret: `vars` are plain and shown, `env` are secret and
 * masked. Both are written to the file the same way.
 */
import { isShortSecret, registerSecret, warnShortSecret } from '../core/secrets.js'
import type { DeploySettings } from './settings.js'

type Pairs = ReadonlyArray<[string, string]>

/** Masks every `env` value before anything can print it; `vars` stay readable. */
export function registerEnvSecrets(env: Pairs): void {
  for (const [key, value] of env) {
    registerSecret(value)
    if (isShortSecret(value))
      warnShortSecret(
        `env: the value of ${key}`,
        `If it is not secret, set it in vars instead (vars: ${key}=…).`
      )
  }
}

/** What is merged into the env file: vars, env, then the pinned images. */
export function envFileUpdates(
  s: Pick<DeploySettings, 'vars' | 'env' | 'images'>
): Array<[string, string]> {
  return [...s.vars, ...s.env, ...s.images.map(p => [p.variable, p.ref] as [string, string])]
}

/** A value as one log line can hold it: quoted when it has control characters or outer spaces. */
export function shownValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]|^\s|\s$/.test(value) ? JSON.stringify(value) : value
}

/** `vars: DEBUG=1, APP_RELEASE=v1.2; env (secret): SECRET_KEY` — names and values of vars, names only of env. */
export function describeEnvValues(s: Pick<DeploySettings, 'vars' | 'env'>): string {
  const parts: string[] = []
  if (s.vars.length > 0)
    parts.push(`vars: ${s.vars.map(([k, v]) => `${k}=${shownValue(v)}`).join(', ')}`)
  if (s.env.length > 0) parts.push(`env (secret): ${s.env.map(([k]) => k).join(', ')}`)
  return parts.join('; ')
}
