import { describe, expect, it } from '@jest/globals'
import {
  buildkitFlagsFor,
  buildRequest,
  ImageReport,
  toResult
} from '../../../src/build-image/build.js'
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

describe('buildkitFlagsFor', () => {
  it('scopes a gha cache to the image unless a scope is given, and points inline secrets at their files', () => {
    const s: BuildSettings = {
      ...SETTINGS,
      buildkit: {
        ...SETTINGS.buildkit,
        secrets: [{ id: 'npm', value: 'never-in-argv' }],
        secretEnvs: [{ id: 'gh', env: 'GH_TOKEN' }],
        cacheFrom: ['type=gha', 'type=gha,scope=shared'],
        cacheTo: ['type=gha,mode=max', 'type=inline']
      }
    }
    const flags = buildkitFlagsFor(s, IMAGE, new Map([['npm', '/t/secrets/secret-0']]))
    expect(flags.secrets).toEqual([
      { id: 'npm', src: '/t/secrets/secret-0' },
      { id: 'gh', env: 'GH_TOKEN' }
    ])
    expect(flags.cacheFrom).toEqual(['type=gha,scope=backend', 'type=gha,scope=shared'])
    expect(flags.cacheTo).toEqual(['type=gha,mode=max,scope=backend', 'type=inline'])
    expect(JSON.stringify(flags)).not.toContain('never-in-argv')
  })

  it('labels an image as metadata-action does when the tags are rules', () => {
    const labels = buildRequest(
      IMAGE,
      { ...SETTINGS, tagMode: 'rules', version: '1.2.3' },
      new Date('2026-12-02T10:00:00Z')
    ).labels
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': 'Shop API',
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.licenses': ''
    })
  })
})
