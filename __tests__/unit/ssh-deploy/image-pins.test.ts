import { describe, expect, it } from '@jest/globals'
import { mapInputs } from '../../../src/core/inputs.js'
import { imageVariable, readImagePins } from '../../../src/ssh-deploy/image-pins.js'
import { mergeEnv } from '../../../src/ssh-deploy/env-file.js'

const A = `sha256:${'a'.repeat(64)}`
const B = `sha256:${'b'.repeat(64)}`
const pins = (images: string) => readImagePins(mapInputs({ images }))

describe('image pins', () => {
  it('names the variable after the image', () => {
    expect(imageVariable('go-nuxt-backend')).toBe('GO_NUXT_BACKEND_IMAGE')
    expect(imageVariable('acme/web.app')).toBe('WEB_APP_IMAGE')
    expect(imageVariable('3d')).toBe('_3D_IMAGE')
  })

  it("reads build-image's JSON output and writes one NAME_IMAGE line per image", () => {
    const output = JSON.stringify({
      'go-nuxt-backend': {
        name: 'go-nuxt-backend',
        repository: 'localhost:5000/acme/go-nuxt-backend',
        digest: `localhost:5000/acme/go-nuxt-backend@${A}`
      },
      'go-nuxt-frontend': { digest: `ghcr.io/acme/go-nuxt-frontend@${B}` }
    })
    const read = pins(output)
    expect(read).toEqual([
      { variable: 'GO_NUXT_BACKEND_IMAGE', ref: `localhost:5000/acme/go-nuxt-backend@${A}` },
      { variable: 'GO_NUXT_FRONTEND_IMAGE', ref: `ghcr.io/acme/go-nuxt-frontend@${B}` }
    ])
    const env = mergeEnv(
      'POSTGRES_PASSWORD=x\nGO_NUXT_BACKEND_IMAGE=old\n',
      read.map(p => [p.variable, p.ref]),
      'compose-v2'
    )
    expect(env).toBe(
      `POSTGRES_PASSWORD=x\nGO_NUXT_BACKEND_IMAGE="localhost:5000/acme/go-nuxt-backend@${A}"\nGO_NUXT_FRONTEND_IMAGE="ghcr.io/acme/go-nuxt-frontend@${B}"\n`
    )
  })

  it('reads name=ref@digest lines', () => {
    expect(pins(`web=ghcr.io/acme/web@${A}\n\n# comment\n`)).toEqual([
      { variable: 'WEB_IMAGE', ref: `ghcr.io/acme/web@${A}` }
    ])
    expect(pins('')).toEqual([])
  })

  it.each([
    ['{"web": ', /^Input 'images': is not valid JSON/],
    [
      JSON.stringify({ web: { digest: '' } }),
      /^Input 'images': image "web" has no digest \(it was not pushed\)\. Build it with push: true/
    ],
    [
      'web=ghcr.io/acme/web:latest',
      /^Input 'images': "ghcr.io\/acme\/web:latest" \(image "web"\) is not repository@sha256/
    ],
    [`web=ghcr.io/acme/web@${A}; rm -rf /`, /is not repository@sha256/],
    [`web=$(touch /tmp/x)@${A}`, /is not repository@sha256/],
    [
      'ghcr.io/acme/web',
      /^Input 'images': line "ghcr.io\/acme\/web" is not name=repository@sha256/
    ],
    [`web=a/web@${A}\nacme/web=b/web@${B}`, /^Input 'images': two images map to WEB_IMAGE/]
  ])('rejects %j', (images, message) => {
    expect(() => pins(images)).toThrow(message)
  })
})
