import { describe, expect, it } from '@jest/globals'
import {
  BuildxBuilder,
  checkBuilderCanBuild,
  parseBuildxInspect,
  usesContainerdImageStore
} from '../../../src/build-image/buildx-builder.js'
import { buildxInspect, dockerDriverStatus } from '../../../src/build-image/docker-commands.js'
import { InputError } from '../../../src/core/errors.js'

// `docker buildx inspect` of buildx 0.13.1 on Docker 20.10, as printed on the testbed.
const DOCKER_DRIVER = [
  'Name:          default',
  'Driver:        docker',
  'Last Activity: 2026-12-02 01:17:49 +0000 UTC',
  '',
  'Nodes:',
  'Name:             default',
  'Endpoint:         default',
  'Status:           running',
  'BuildKit version: v0.8+unknown',
  'Platforms:        linux/amd64, linux/386',
  ''
].join('\n')

// The layout buildx 0.13 prints for a docker-container builder with two nodes.
const CONTAINER_DRIVER = [
  'Name:          ci-builder',
  'Driver:        docker-container',
  'Last Activity: 2026-12-02 01:20:00 +0000 UTC',
  '',
  'Nodes:',
  'Name:      ci-builder0',
  'Endpoint:  unix:///var/run/docker.sock',
  'Status:    running',
  'BuildKit version: v0.13.1',
  'Platforms: linux/amd64*, linux/amd64/v2, linux/386',
  '',
  'Name:      ci-builder1',
  'Endpoint:  ssh://arm-host',
  'Status:    running',
  'Platforms: linux/arm64*, linux/arm/v7',
  ''
].join('\n')

const dockerDriver: BuildxBuilder = {
  ...parseBuildxInspect(DOCKER_DRIVER),
  containerdImageStore: false
}

describe('the buildx builder', () => {
  it('is asked for with docker buildx inspect and docker info', () => {
    expect(buildxInspect()).toEqual(['buildx', 'inspect'])
    expect(dockerDriverStatus()).toEqual(['info', '--format', '{{json .DriverStatus}}'])
  })

  it('reads the name, driver and platforms of the builder, not of its nodes', () => {
    expect(parseBuildxInspect(DOCKER_DRIVER)).toEqual({
      name: 'default',
      driver: 'docker',
      platforms: ['linux/amd64', 'linux/386'],
      buildkitVersion: '0.8'
    })
    expect(parseBuildxInspect(CONTAINER_DRIVER)).toEqual({
      name: 'ci-builder',
      driver: 'docker-container',
      platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/386', 'linux/arm64', 'linux/arm/v7'],
      buildkitVersion: '0.13.1'
    })
    // A builder that has not booted lists no platforms.
    const fresh = parseBuildxInspect(
      'Name: fresh\nDriver: docker-container\n\nNodes:\nName: fresh0\n'
    )
    expect(fresh).toEqual({
      name: 'fresh',
      driver: 'docker-container',
      platforms: [],
      buildkitVersion: ''
    })
  })

  it('tells the containerd image store from the classic one by the storage driver status', () => {
    expect(
      usesContainerdImageStore(
        '[["Backing Filesystem","extfs"],["Supports d_type","true"],["Native Overlay Diff","true"],["userxattr","false"]]'
      )
    ).toBe(false)
    expect(usesContainerdImageStore('[["driver-type","io.containerd.snapshotter.v1"]]')).toBe(true)
    expect(usesContainerdImageStore('null')).toBe(false)
    expect(usesContainerdImageStore('')).toBe(false)
  })
})

describe('what the docker driver refuses', () => {
  it.each([
    [
      'a gha cache',
      { cache: 'gha' as const, platforms: [] },
      /^Input 'cache': is gha, but the current buildx builder "default" uses the docker driver, which cannot export a build cache\. To cache in the GitHub Actions cache, add docker\/setup-buildx-action before this step \(it creates a docker-container builder\), or run `docker buildx create --use`; or set cache: none/
    ],
    [
      'a registry cache',
      { cache: 'registry' as const, platforms: [] },
      /^Input 'cache': is registry, .*To cache in the registry, add docker\/setup-buildx-action/
    ],
    [
      'several platforms',
      { cache: 'none' as const, platforms: ['linux/amd64', 'linux/arm64'] },
      /^Input 'platforms': lists 2 platforms \(linux\/amd64, linux\/arm64\), but the current buildx builder "default" uses the docker driver, which builds one platform at a time\. To build them into one image, add docker\/setup-qemu-action and docker\/setup-buildx-action/
    ],
    [
      'a platform the engine does not run',
      { cache: 'none' as const, platforms: ['linux/arm64'] },
      /^Input 'platforms': is linux\/arm64, but .* which builds only what the engine runs: linux\/amd64, linux\/386\. Add docker\/setup-qemu-action before this step to emulate linux\/arm64, or build for linux\/amd64$/
    ]
  ])('refuses %s, naming the input and the fix', (_what, settings, message) => {
    let error: unknown
    try {
      checkBuilderCanBuild(settings, dockerDriver)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(InputError)
    expect((error as Error).message).toMatch(message)
  })

  it('accepts one platform the engine runs, and no platform at all', () => {
    expect(() =>
      checkBuilderCanBuild({ cache: 'none', platforms: ['linux/386'] }, dockerDriver)
    ).not.toThrow()
    expect(() => checkBuilderCanBuild({ cache: 'none', platforms: [] }, dockerDriver)).not.toThrow()
  })

  it('leaves the limits to other drivers and to an engine with the containerd image store', () => {
    const wanted = { cache: 'gha' as const, platforms: ['linux/amd64', 'linux/arm64'] }
    const container = { ...parseBuildxInspect(CONTAINER_DRIVER), containerdImageStore: false }
    expect(() => checkBuilderCanBuild(wanted, container)).not.toThrow()
    expect(() =>
      checkBuilderCanBuild(wanted, { ...dockerDriver, containerdImageStore: true })
    ).not.toThrow()
  })

  it('takes linux/arm64/v8 for linux/arm64', () => {
    const arm = { ...dockerDriver, platforms: ['linux/arm64', 'linux/arm/v7'] }
    expect(() =>
      checkBuilderCanBuild({ cache: 'none', platforms: ['linux/arm64/v8'] }, arm)
    ).not.toThrow()
  })
})

describe("what the docker driver refuses of BuildKit's inputs", () => {
  const buildkit = (
    o: Partial<import('../../../src/build-image/buildkit-options.js').BuildkitOptions>
  ) => ({
    cache: 'none' as const,
    platforms: [],
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
      cacheTo: [],
      ...o
    }
  })

  it.each([
    [
      { provenance: 'mode=max' },
      /^Input 'provenance': is mode=max, but the current buildx builder "default" uses the docker driver, which cannot attach attestations/
    ],
    [{ sbom: 'true' }, /^Input 'sbom': is true, .*cannot attach attestations/],
    [
      { cacheTo: ['type=gha,mode=max'] },
      /^Input 'cache-to': is type=gha,mode=max, .* which exports only an inline cache \(type=inline\)/
    ],
    [
      { cacheFrom: ['type=gha'] },
      /^Input 'cache-from': is type=gha, .*cannot read the GitHub Actions cache/
    ]
  ])('refuses %p with the fix', (o, message) => {
    expect(() => checkBuilderCanBuild(buildkit(o), dockerDriver)).toThrow(message)
  })

  it('refuses build contexts on BuildKit before 0.10, on any driver, and takes them from 0.10 on', () => {
    expect(() =>
      checkBuilderCanBuild(buildkit({ buildContexts: ['shared=./shared'] }), dockerDriver)
    ).toThrow(
      /^Input 'build-contexts': needs BuildKit 0\.10 or later, but the current buildx builder "default" \(docker driver\) runs BuildKit 0\.8/
    )
    const containerDriver = { ...parseBuildxInspect(CONTAINER_DRIVER), containerdImageStore: false }
    expect(() =>
      checkBuilderCanBuild(buildkit({ buildContexts: ['shared=./shared'] }), containerDriver)
    ).not.toThrow()
    expect(() =>
      checkBuilderCanBuild(buildkit({ buildContexts: ['shared=./shared'] }), {
        ...containerDriver,
        buildkitVersion: '0.9.3'
      })
    ).toThrow(/runs BuildKit 0\.9\.3/)
  })

  it('accepts secrets, ssh, an inline cache, a registry cache source and provenance=false', () => {
    expect(() =>
      checkBuilderCanBuild(
        buildkit({
          secrets: [{ id: 'a', value: 'b' }],
          ssh: ['default'],
          provenance: 'false',
          cacheFrom: ['type=registry,ref=r/app:main'],
          cacheTo: ['type=inline']
        }),
        dockerDriver
      )
    ).not.toThrow()
    const containerDriver = { ...parseBuildxInspect(CONTAINER_DRIVER), containerdImageStore: false }
    expect(() =>
      checkBuilderCanBuild(
        buildkit({ provenance: 'mode=max', cacheTo: ['type=gha'] }),
        containerDriver
      )
    ).not.toThrow()
  })
})
