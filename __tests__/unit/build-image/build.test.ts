import { describe, expect, it } from '@jest/globals'
import { buildRequest, ImageReport, toResult } from '../../../src/build-image/build.js'
import type { BuildSettings, ImageSpec } from '../../../src/build-image/settings.js'

const IMAGE: ImageSpec = {
  name: 'backend',
  repository: 'ghcr.io/acme/backend',
  context: './backend',
  dockerfile: 'backend/Dockerfile.prod',
  target: 'runtime'
}

const SETTINGS: BuildSettings = {
  images: [IMAGE],
  registry: 'ghcr.io/acme',
  logout: true,
  tags: ['latest', 'main', 'sha-a1b2c3d'],
  extraLabels: { 'org.example.team': 'shop', 'org.opencontainers.image.title': 'Shop API' },
  push: true,
  buildArgs: [['VERSION', '1.2'], ['NPM_TOKEN']],
  platforms: ['linux/amd64'],
  cache: 'none',
  builder: 'auto',
  tagMode: 'plain',
  version: 'main',
  buildkit: {
    secrets: [],
    secretFiles: [],
    secretEnvs: [],
    ssh: [],
    noCache: false,
    pull: false,
    buildContexts: [],
    provenance: '',
    sbom: '',
    cacheFrom: [],
    cacheTo: []
  },
  created: new Date('2026-12-02T10:00:00Z'),
  warnings: [],
  git: {
    sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    ref: 'refs/heads/main',
    repository: 'acme/shop',
    serverUrl: 'https://github.com',
    defaultBranch: 'main'
  }
}

describe('buildRequest', () => {
  it('builds the image with every tag, the OCI labels, and labels given in the inputs on top', () => {
    expect(buildRequest(IMAGE, SETTINGS, new Date('2026-12-02T10:00:00Z'))).toEqual({
      name: 'backend',
      repository: 'ghcr.io/acme/backend',
      context: './backend',
      dockerfile: 'backend/Dockerfile.prod',
      tags: ['latest', 'main', 'sha-a1b2c3d'],
      labels: {
        'org.opencontainers.image.title': 'Shop API',
        'org.opencontainers.image.created': '2026-12-02T10:00:00.000Z',
        'org.opencontainers.image.source': 'https://github.com/acme/shop',
        'org.opencontainers.image.url': 'https://github.com/acme/shop',
        'org.opencontainers.image.revision': 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        'org.opencontainers.image.version': 'main',
        'org.example.team': 'shop'
      },
      buildArgs: [['VERSION', '1.2'], ['NPM_TOKEN']],
      target: 'runtime',
      platforms: ['linux/amd64']
    })
  })
})

describe('toResult', () => {
  it('keeps what the images output promises and leaves out timings and cache use', () => {
    const report: ImageReport = {
      name: 'backend',
      repository: 'ghcr.io/acme/backend',
      tags: ['main'],
      refs: ['ghcr.io/acme/backend:main'],
      pushed: true,
      digest: 'ghcr.io/acme/backend@sha256:' + 'a'.repeat(64),
      imageId: 'sha256:' + 'b'.repeat(64),
      version: 'main',
      labels: { 'org.opencontainers.image.version': 'main' },
      metadata: { 'containerimage.digest': 'sha256:' + 'a'.repeat(64) },
      builder: 'buildx',
      pushedByBuild: true,
      buildSeconds: 1,
      pushSeconds: 0,
      cache: { steps: 2, cached: 1 }
    }
    expect(toResult(report)).toEqual({
      name: 'backend',
      repository: 'ghcr.io/acme/backend',
      tags: ['main'],
      refs: ['ghcr.io/acme/backend:main'],
      pushed: true,
      digest: report.digest,
      imageId: report.imageId,
      version: 'main',
      labels: { 'org.opencontainers.image.version': 'main' },
      metadata: { 'containerimage.digest': 'sha256:' + 'a'.repeat(64) }
    })
  })
})
