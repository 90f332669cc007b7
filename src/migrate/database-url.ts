import { InputError } from '../core/errors.js'

/** A PostgreSQL URL split in two: what may be on a command line, and the password, which may not. */
export interface DatabaseUrl {
  /** The URL without its password, for `--dbname`. */
  url: string
  /** Empty when the URL has none. */
  password: string
}

const INPUT = 'backup-database-url'

function decode(text: string, where: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new InputError(INPUT, `has a malformed %-escape in its ${where}`)
  }
}

/**
 * Takes the password out of a `postgres://` or `postgresql://` URL, read as
 * libpq reads it: the user info ends at the first `@` before any `/`, the
 * password follows the first `:` in it, and a `password` query parameter wins
 * over it. Both are %-decoded, as libpq does. Errors never quote the value.
 */
export function splitDatabaseUrl(value: string): DatabaseUrl {
  const scheme = /^postgres(?:ql)?:\/\//.exec(value)?.[0]
  if (!scheme) {
    throw new InputError(
      INPUT,
      'is not a postgres:// or postgresql:// URL',
      'Give it as postgresql://user:password@host:5432/database'
    )
  }
  let rest = value.slice(scheme.length)
  let user = ''
  let password = ''
  const end = rest.search(/[@/]/)
  if (end >= 0 && rest[end] === '@') {
    const info = rest.slice(0, end)
    rest = rest.slice(end + 1)
    const colon = info.indexOf(':')
    user = colon < 0 ? info : info.slice(0, colon)
    if (colon >= 0) password = decode(info.slice(colon + 1), 'password')
  }
  const query = rest.indexOf('?')
  const params = query < 0 ? [] : rest.slice(query + 1).split('&')
  const kept = params.filter(param => {
    const eq = param.indexOf('=')
    if (decode(eq < 0 ? param : param.slice(0, eq), 'query') !== 'password') return true
    password = decode(eq < 0 ? '' : param.slice(eq + 1), 'password')
    return false
  })
  if (password.includes('\0')) throw new InputError(INPUT, 'has a NUL byte (%00) in its password')
  const location = query < 0 ? rest : rest.slice(0, query)
  return {
    url: `${scheme}${user ? `${user}@` : ''}${location}${kept.length ? `?${kept.join('&')}` : ''}`,
    password
  }
}
