/**
 * Images pinned by digest: build-image's `images` output (or `name=ref@digest`
 * lines) becomes one `NAME_IMAGE=repository@sha256:…` line per image in the
 * env file, which the compose file uses as `image: ${NAME_IMAGE}`. The env
 * file is snapshotted per release, so a rollback goes back to the digests the
 * previous release ran.
 */
import { InputError } from '../core/errors.js'
import { InputReader } from '../core/inputs.js'

export interface ImagePin {
  /** Env variable the compose file reads, e.g. BACKEND_IMAGE. */
  variable: string
  /** `repository@sha256:<64 hex>`. */
  ref: string
}

const DIGEST_REF = /^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}$/
const FIX =
  "Pass build-image's output (`images: ${{ needs.build.outputs.images }}`) or `name=repository@sha256:…` lines"

/** `go-nuxt-backend` → `GO_NUXT_BACKEND_IMAGE`; `acme/web` → `WEB_IMAGE`. */
export function imageVariable(name: string): string {
  const base = name.split('/').pop() ?? name
  const upper = base
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
  return `${/^[0-9]/.test(upper) ? '_' : ''}${upper}_IMAGE`
}

function parseEntries(text: string): Array<[string, string]> {
  if (text.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (err) {
      throw new InputError('images', `is not valid JSON (${(err as Error).message})`, FIX)
    }
    return Object.entries(parsed as Record<string, unknown>).map(([name, value]) => {
      const digest = (value as { digest?: unknown } | null)?.digest
      if (typeof digest !== 'string' || digest === '') {
        throw new InputError(
          'images',
          `image ${JSON.stringify(name)} has no digest (it was not pushed)`,
          'Build it with push: true so the servers can pull it by digest'
        )
      }
      return [name, digest]
    })
  }
  return text
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'))
    .map(line => {
      const at = line.indexOf('=')
      if (at <= 0)
        throw new InputError(
          'images',
          `line ${JSON.stringify(line)} is not name=repository@sha256:…`,
          FIX
        )
      return [line.slice(0, at).trim(), line.slice(at + 1).trim()]
    })
}

export function readImagePins(read: InputReader): ImagePin[] {
  const text = read('images').trim()
  if (!text) return []
  const pins = parseEntries(text).map(([name, ref]) => {
    if (!DIGEST_REF.test(ref)) {
      throw new InputError(
        'images',
        `${JSON.stringify(ref)} (image ${JSON.stringify(name)}) is not repository@sha256:<64 hex digits>`,
        FIX
      )
    }
    return { variable: imageVariable(name), ref }
  })
  const seen = new Map<string, string>()
  for (const [i, pin] of pins.entries()) {
    const other = seen.get(pin.variable)
    if (other !== undefined && other !== pin.ref)
      throw new InputError(
        'images',
        `two images map to ${pin.variable} (entry ${i + 1})`,
        'Give the images distinct names'
      )
    seen.set(pin.variable, pin.ref)
  }
  return pins
}
