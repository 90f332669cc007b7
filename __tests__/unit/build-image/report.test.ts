import { describe, expect, it } from '@jest/globals'
import type { ImageReport } from '../../../src/build-image/build.js'
import {
  cacheText,
  setImagesOutput,
  setMetadataOutputs,
  writeSummary
} from '../../../src/build-image/report.js'
import { renderSummary, summaryRows, summaryText } from '../../helpers/rendered-summary.js'
import { runnerFiles } from '../../helpers/runner-files.js'

const onRunner = runnerFiles()

const DIGEST = 'sha256:382af45318a95d742347d50b004d22c6d00195f080a19ce49da25c2bd77af4a3'
const IMAGE_ID = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'

const PUSHED: ImageReport = {
  name: 'backend',
  repository: 'ghcr.io/acme/backend',
  tags: ['main', 'sha-a1b2c3d'],
  refs: ['ghcr.io/acme/backend:main', 'ghcr.io/acme/backend:sha-a1b2c3d'],
  pushed: true,
  digest: `ghcr.io/acme/backend@${DIGEST}`,
  imageId: IMAGE_ID,
  version: 'main',
  labels: {},
  metadata: null,
  builder: 'docker',
  pushedByBuild: false,
  buildSeconds: 12.34,
  pushSeconds: 3.21,
  cache: { steps: 4, cached: 3 }
}
const LOCAL: ImageReport = {
  ...PUSHED,
  name: 'worker<b>',
  repository: 'acme/worker',
  tags: ['main'],
  refs: ['acme/worker:main'],
  pushed: false,
  digest: '',
  builder: 'buildx',
  pushSeconds: 0,
  cache: { steps: 0, cached: 0 }
}

describe('setImagesOutput', () => {
  it('keys each image by name with where it went and its digest, not the timings', async () => {
    const { outputs } = await onRunner(() => setImagesOutput([PUSHED, LOCAL]))
    // Timings and cache use are for the summary; the output holds what a workflow reads.
    const keys = [
      'name',
      'repository',
      'tags',
      'refs',
      'pushed',
      'digest',
      'imageId',
      'version',
      'labels',
      'metadata'
    ] as const
    expect(JSON.parse(outputs.images)).toEqual({
      backend: Object.fromEntries(keys.map(key => [key, PUSHED[key]])),
      'worker<b>': expect.objectContaining({ pushed: false, digest: '' })
    })
  })
})

describe('setMetadataOutputs', () => {
  it("sets build-push-action's digest, imageid and metadata and metadata-action's tags, labels and version", async () => {
    const metadata = { 'containerimage.digest': DIGEST, 'image.name': 'ghcr.io/acme/backend:main' }
    const first = {
      ...PUSHED,
      labels: { 'org.opencontainers.image.version': 'main', 'org.example.team': 'shop' },
      metadata
    }
    const { outputs } = await onRunner(() => setMetadataOutputs([first, LOCAL]))
    expect(outputs.digest).toBe(DIGEST)
    expect(outputs.imageid).toBe(IMAGE_ID)
    expect(JSON.parse(outputs.metadata)).toEqual(metadata)
    expect(outputs.tags.split('\n')).toEqual([...PUSHED.refs, ...LOCAL.refs])
    expect(outputs.labels).toBe('org.opencontainers.image.version=main\norg.example.team=shop')
    expect(outputs.version).toBe('main')
  })

  it('leaves digest empty for an image that was not pushed', async () => {
    const { outputs } = await onRunner(() => setMetadataOutputs([LOCAL]))
    expect(outputs.digest).toBe('')
    expect(outputs.metadata).toBe('')
  })
})

describe('cacheText', () => {
  it('says how many steps came from the cache, and nothing when the log showed no steps', () => {
    expect(cacheText(PUSHED)).toBe('3/4 steps cached')
    expect(cacheText(LOCAL)).toBe('')
  })
})

describe('writeSummary', () => {
  it('shows each image with its references, digest, build and push', async () => {
    const { summary } = await onRunner(() =>
      writeSummary(
        [PUSHED, LOCAL, { ...LOCAL, name: 'api', imageId: '', pushedByBuild: true }],
        20_000
      )
    )
    expect(renderSummary(summary)).toContain('<h3>Images</h3>')
    expect(summaryRows(summary)).toEqual([
      ['image', 'references', 'digest', 'build', 'push'],
      [
        'backend',
        'ghcr.io/acme/backend:main\nghcr.io/acme/backend:sha-a1b2c3d',
        `ghcr.io/acme/backend@${DIGEST}`,
        '12.3s docker, 3/4 steps cached',
        '3.2s'
      ],
      [
        'worker<b>',
        'acme/worker:main (not pushed)',
        'local sha256:0123456789ab',
        '12.3s buildx',
        '—'
      ],
      ['api', 'acme/worker:main (not pushed)', '—', '12.3s buildx', 'with build']
    ])
    expect(summaryText(summary)).toContain('3 image(s) in 20.0s')
  })
})
