import { describe, expect, it } from '@jest/globals'
import {
  buildxDigest,
  cacheStats,
  pushedDigest,
  repoDigestFor
} from '../../../src/build-image/docker-output.js'

const DIGEST = 'sha256:382af45318a95d742347d50b004d22c6d00195f080a19ce49da25c2bd77af4a3'

describe('reading docker output', () => {
  it('finds the digest in what docker push prints', () => {
    const output = [
      'The push refers to repository [127.0.0.1:40015/deploykit-f5a8ff/api]',
      '5f70bf18a086: Preparing',
      '5f70bf18a086: Pushed',
      `main: digest: ${DIGEST} size: 735`
    ].join('\n')
    expect(pushedDigest(output)).toBe(DIGEST)
    expect(pushedDigest('no digest here')).toBe('')
  })

  it('picks the RepoDigest of the pushed repository', () => {
    const json = JSON.stringify([`other/app@sha256:${'0'.repeat(64)}`, `r/app@${DIGEST}`])
    expect(repoDigestFor(json, 'r/app')).toBe(`r/app@${DIGEST}`)
    expect(repoDigestFor(json, 'r/ap')).toBe('')
    expect(repoDigestFor('[]', 'r/app')).toBe('')
    expect(repoDigestFor('not json', 'r/app')).toBe('')
  })

  it('reads the digest from a buildx metadata file', () => {
    expect(
      buildxDigest(JSON.stringify({ 'containerimage.digest': DIGEST, 'image.name': 'r/app:a' }))
    ).toBe(DIGEST)
    expect(buildxDigest('{}')).toBe('')
    expect(buildxDigest('')).toBe('')
  })

  it('counts cached steps of the classic builder, leaving out FROM and the --label steps', () => {
    const log = [
      'Step 1/8 : FROM deploykit-testbed/busybox:1',
      ' ---> cec58582c0ff',
      'Step 2/8 : ARG GREETING=none',
      ' ---> Using cache',
      ' ---> 90ff1f6a8b07',
      'Step 3/8 : COPY nonce.txt /nonce.txt',
      ' ---> 2a3a1b7f9c11',
      'Step 4/8 : RUN echo "$GREETING" > /www/greeting.txt',
      ' ---> Running in 6dc749ba509a',
      'Removing intermediate container 6dc749ba509a',
      ' ---> 5d18df50b004',
      'Step 5/8 : CMD ["cat", "/www/greeting.txt"]',
      ' ---> Using cache',
      ' ---> 6dcdce1946e4',
      'Step 6/8 : LABEL org.opencontainers.image.created=2026-11-23T08:12:32.291Z',
      ' ---> Running in 9de969af20be',
      'Step 7/8 : LABEL org.opencontainers.image.title=web',
      ' ---> Using cache',
      'Successfully built e17efe1f3480'
    ].join('\n')
    expect(cacheStats(log)).toEqual({ steps: 4, cached: 2 })
  })

  it('counts cached steps of BuildKit plain progress', () => {
    const log = [
      '#4 [internal] load metadata for docker.io/library/alpine:3.20',
      '#5 [build 1/3] FROM docker.io/library/alpine:3.20@sha256:abc',
      '#5 CACHED',
      '#6 [build 2/3] COPY . /src',
      '#6 CACHED',
      '#7 [build 3/3] RUN make',
      '#7 DONE 4.1s',
      '#8 [stage-1 2/2] COPY --from=build /out /app',
      '#8 CACHED'
    ].join('\n')
    expect(cacheStats(log)).toEqual({ steps: 3, cached: 2 })
    expect(cacheStats('')).toEqual({ steps: 0, cached: 0 })
  })
})
