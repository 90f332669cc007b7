import { InputError } from '../core/errors.js'
import type { InputReader } from '../core/inputs.js'
import { isShortSecret, registerSecret, warnShortSecret } from '../core/secrets.js'

/** The registry the servers log in to for this deploy only. */
export interface RegistryLogin {
  /** host[:port], as `docker login` and image names take it. */
  registry: string
  username: string
  /** Secret: masked, sent to the servers on standard input only. */
  password: string
  /** Which input the password came from, for the message when the registry refuses it. */
  passwordFrom: 'registry-password' | 'github-token'
}

export const GHCR = 'ghcr.io'

/** One part of a registry namespace (`org` in ghcr.io/org), as image names allow it. */
const NAMESPACE_PART = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/

/** A registry host name or address with an optional port; no scheme, path or user. */
const REGISTRY =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/

/**
 * registry, registry-username, registry-password. Without registry nothing
 * logs in. For ghcr.io the password defaults to the workflow token
 * (github-token) and the user to the workflow's actor (GITHUB_ACTOR).
 */
export function readRegistryLogin(read: InputReader, actor: string): RegistryLogin | undefined {
  const password = read('registry-password').trim()
  // Masked before anything could print it, the refusals below included.
  registerSecret(password)
  if (isShortSecret(password))
    warnShortSecret('registry-password', 'Check the secret: registry tokens are much longer.')
  const given = read('registry').trim().toLowerCase()
  // build-image's `registry` may name a namespace (ghcr.io/org): the servers log in to its host.
  const [registry, ...namespace] = given.split('/')
  const username = read('registry-username').trim()
  if (!registry) {
    if (password || username) {
      throw new InputError(
        'registry',
        `is empty, but ${password ? 'registry-password' : 'registry-username'} is set`,
        'Name the registry the images come from (e.g. ghcr.io), or leave out its user and password'
      )
    }
    return undefined
  }
  if (!REGISTRY.test(registry) || namespace.some(part => !NAMESPACE_PART.test(part))) {
    throw new InputError(
      'registry',
      `${JSON.stringify(given)} is not a registry host`,
      'Give its host name, with a port if it has one and an optional namespace (ghcr.io, ghcr.io/org, registry.example.com:5000), without https://'
    )
  }
  // eslint-disable-next-line no-control-regex
  if (/[\0-\x1f\x7f]/.test(username)) {
    throw new InputError('registry-username', 'holds a control character (a line break?)')
  }
  const ghcr = registry === GHCR
  let from: RegistryLogin['passwordFrom'] = 'registry-password'
  let secret = password
  if (!secret && ghcr) {
    secret = read('github-token').trim()
    registerSecret(secret)
    from = 'github-token'
  }
  if (!secret) {
    throw new InputError(
      'registry-password',
      `is empty: the servers need a password or token to log in to ${registry}`,
      ghcr
        ? 'Pass a token with packages: read, or github-token: ${{ github.token }} with `packages: read` in the job’s permissions'
        : 'Pass the registry password or token from a secret'
    )
  }
  const user = username || (ghcr ? actor : '')
  if (!user) {
    throw new InputError(
      'registry-username',
      `is empty: ${ghcr ? 'GITHUB_ACTOR is not set either' : `${registry} needs the user to log in as`}`,
      'Give the registry user name'
    )
  }
  return { registry, username: user, password: secret, passwordFrom: from }
}
