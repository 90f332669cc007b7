import type { RepositoryUrl } from '../commands/git.js'
/**
 * The `repository` input split into what git stores on the server (the URL
 * without credentials), the credentials (handed to git on the server through
 * the environment, see gitCommands) and what the log may show.
 */
import { InputError } from '../core/errors.js'

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i
/** `[user[:password]@]host:path`, git's scp-like form: a colon before any slash, and no `://`. */
const SCP_LIKE = /^([^/@]+@)?([^/:]+|\[[^\]]+\]):/

/** Percent-decoding as git does it for user info (a malformed escape stays as it is). */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The user info of a `scheme://` URL as typed, and where it ends; git's rule: up to the last @ before the first /. */
function userinfoOf(text: string): { typed: string; rest: string; prefix: string } | undefined {
  const scheme = SCHEME.exec(text)
  if (!scheme) return undefined
  const afterScheme = text.slice(scheme[0].length)
  const slash = afterScheme.indexOf('/')
  const authority = slash < 0 ? afterScheme : afterScheme.slice(0, slash)
  const at = authority.lastIndexOf('@')
  if (at < 0) return undefined
  return { typed: authority.slice(0, at), rest: afterScheme.slice(at + 1), prefix: scheme[0] }
}

/**
 * Every form the secret part of a URL's credentials may be printed in: as
 * typed and decoded. The password, or over http(s) a lone user name (a
 * token); an ssh user name is no secret. Also for text that is not a valid
 * URL, so nothing quoted from it can show them.
 */
export function repositorySecrets(text: string): string[] {
  const value = text.trim()
  const info = userinfoOf(value)
  const typed =
    info?.typed ?? (SCHEME.test(value) ? undefined : SCP_LIKE.exec(value)?.[1]?.slice(0, -1))
  if (!typed) return []
  const colon = typed.indexOf(':')
  if (colon < 0 && !(info && /^https?:/i.test(info.prefix))) return []
  const secret = colon >= 0 ? typed.slice(colon + 1) : typed
  return [...new Set([secret, decoded(secret)].filter(Boolean))]
}

/** Text with the user info of a `scheme://` URL as `***@`. */
export function shownRepository(text: string): string {
  const info = userinfoOf(text)
  return info ? `${info.prefix}***@${info.rest}` : text
}

const HTTPS_FIX =
  'Put credentials only in an https:// URL (https://TOKEN@host/org/app.git), or use an ssh:// URL with a deploy key on the server'

/**
 * Reads a clone URL. Credentials are taken out of an https:// URL only:
 * over http:// they would cross the network in clear text, and ssh never
 * takes a password from the URL (a user name there is no secret and stays).
 */
export function parseRepository(text: string, input = 'repository'): RepositoryUrl {
  const value = text.trim()
  if ([...value].some(c => c < ' ' || c === '\u007f'))
    throw new InputError(input, 'holds a control character (a newline?)', 'Give one clone URL')
  if (value.startsWith('-'))
    throw new InputError(input, 'starts with -, which git would read as an option')
  const scheme = SCHEME.exec(value)?.[1].toLowerCase()
  const info = userinfoOf(value)
  if (!info) {
    const scp = SCP_LIKE.exec(value)
    if (!scheme && scp?.[1]?.includes(':')) {
      throw new InputError(
        input,
        `holds a password in an scp-like ssh address (${scp[1].slice(0, scp[1].indexOf(':'))}:***@…)`,
        HTTPS_FIX
      )
    }
    return { url: value, shown: value }
  }
  const shown = shownRepository(value)
  if (scheme === 'http') {
    throw new InputError(
      input,
      `holds credentials in an http:// URL (${shown}), which would send them unencrypted`,
      HTTPS_FIX
    )
  }
  if (scheme !== 'https') {
    if (!info.typed.includes(':')) return { url: value, shown: value }
    throw new InputError(
      input,
      `holds a password in a ${scheme}:// URL (${shown}); git does not send it`,
      HTTPS_FIX
    )
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InputError(
      input,
      `${shown} is not a valid URL`,
      'A / ? or # in a token or password must be written as %2F, %3F or %23'
    )
  }
  const colon = info.typed.indexOf(':')
  const username = decoded(colon >= 0 ? info.typed.slice(0, colon) : info.typed)
  const password = colon >= 0 ? decoded(info.typed.slice(colon + 1)) : ''
  // git's credential protocol is one `key=value` per line.
  if (/[\0\r\n]/.test(username + password))
    throw new InputError(input, `${shown}: the credentials hold a newline or NUL once decoded`)
  if (!username && !password) return { url: `${info.prefix}${info.rest}`, shown }
  // The host names git's config key for the credentials (credential.<url>.helper): no `=` in it.
  if (!/^[a-z0-9.:[\]-]+$/i.test(url.host))
    throw new InputError(input, `${shown}: the host is not a DNS name or an IP address`)
  return {
    url: `${info.prefix}${info.rest}`,
    shown,
    credentials: { origin: `https://${url.host}`, username, password }
  }
}
