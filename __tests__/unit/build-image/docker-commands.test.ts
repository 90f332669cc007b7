import { describe, expect, it } from '@jest/globals'
import {
  BuildRequest,
  buildxBuild,
  buildxVersion,
  dockerBuild,
  dockerLogin,
  dockerPush,
  imageRefs,
  inspectImageId,
  inspectRepoDigests
} from '../../../src/build-image/docker-commands.js'

const request: BuildRequest = {
  name: 'backend',
  repository: 'ghcr.io/acme/backend',
  context: './backend',
  dockerfile: 'backend/Dockerfile.prod',
  tags: ['main', 'sha-a1b2c3d'],
  labels: { 'org.opencontainers.image.revision': 'a1b2c3d', 'org.example.note': 'two words' },
  buildArgs: [['VERSION', '1.2'], ['NPM_TOKEN']],
  target: 'runtime',
  platforms: []
}

describe('build commands', () => {
  it('builds with the classic builder: every tag, label and build-arg, and an iid file', () => {
    expect(dockerBuild(request, '/tmp/b/backend.iid')).toEqual([
      'build',
      '--file',
      'backend/Dockerfile.prod',
      '--tag',
      'ghcr.io/acme/backend:main',
      '--tag',
      'ghcr.io/acme/backend:sha-a1b2c3d',
      '--label',
      'org.opencontainers.image.revision=a1b2c3d',
      '--label',
      'org.example.note=two words',
      '--build-arg',
      'VERSION=1.2',
      '--build-arg',
      'NPM_TOKEN',
      '--target',
      'runtime',
      '--force-rm',
      '--iidfile',
      '/tmp/b/backend.iid',
      './backend'
    ])
  })

  it('passes one platform to the classic builder and no target when there is none', () => {
    const argv = dockerBuild(
      { ...request, target: undefined, platforms: ['linux/arm64'], buildArgs: [] },
      'iid'
    )
    expect(argv).toContain('--platform')
    expect(argv[argv.indexOf('--platform') + 1]).toBe('linux/arm64')
    expect(argv).not.toContain('--target')
    expect(argv).not.toContain('--build-arg')
    expect(argv.at(-1)).toBe('./backend')
  })

  it('pushes from buildx with platforms and the GitHub Actions cache scoped per image', () => {
    const argv = buildxBuild(
      { ...request, platforms: ['linux/amd64', 'linux/arm64'] },
      { output: 'push', cache: 'gha', metadataFile: '/tmp/b/backend.json' }
    )
    expect(argv.slice(0, 4)).toEqual(['buildx', 'build', '--progress', 'plain'])
    expect(argv.join(' ')).toContain(
      '--platform linux/amd64,linux/arm64 --cache-from type=gha,scope=backend --cache-to type=gha,mode=max,scope=backend --metadata-file /tmp/b/backend.json --push ./backend'
    )
  })

  it('loads from buildx into the engine, with a registry cache beside the image', () => {
    const argv = buildxBuild(request, { output: 'load', cache: 'registry', metadataFile: 'm.json' })
    expect(argv.join(' ')).toContain(
      '--cache-from type=registry,ref=ghcr.io/acme/backend:buildcache --cache-to type=registry,ref=ghcr.io/acme/backend:buildcache,mode=max'
    )
    expect(argv).toContain('--load')
    expect(argv).not.toContain('--push')
    expect(
      buildxBuild(request, { output: 'push', cache: 'none', metadataFile: 'm' })
    ).not.toContain('--cache-from')
  })
})

describe('registry commands', () => {
  it('logs in with the password on standard input, never in argv', () => {
    expect(dockerLogin('ghcr.io', 'octocat')).toEqual([
      'login',
      '--username',
      'octocat',
      '--password-stdin',
      'ghcr.io'
    ])
  })

  it('pushes one reference and inspects the RepoDigests', () => {
    expect(imageRefs('r/app', ['a', 'b'])).toEqual(['r/app:a', 'r/app:b'])
    expect(dockerPush('r/app:a')).toEqual(['push', 'r/app:a'])
    expect(inspectRepoDigests('r/app:a')).toEqual([
      'image',
      'inspect',
      '--format',
      '{{json .RepoDigests}}',
      'r/app:a'
    ])
    expect(inspectImageId('r/app:a')).toEqual([
      'image',
      'inspect',
      '--format',
      '{{.Id}}',
      'r/app:a'
    ])
    expect(buildxVersion()).toEqual(['buildx', 'version'])
  })
})

describe('BuildKit flags', () => {
  it('passes secrets by file or variable name, never by value, quoting CSV fields buildx would split', () => {
    const argv = buildxBuild(request, {
      output: 'load',
      cache: 'none',
      metadataFile: '/tmp/b/backend.json',
      buildkit: {
        secrets: [
          { id: 'npm', src: '/runner/temp/deploykit-build-x/secrets/secret-0' },
          { id: 'odd', src: '/work/a,b "c".txt' },
          { id: 'token', env: 'GH_TOKEN' }
        ],
        ssh: ['default'],
        noCache: true,
        pull: true,
        buildContexts: ['shared=./shared'],
        provenance: 'mode=max',
        sbom: 'true',
        cacheFrom: ['type=gha,scope=backend'],
        cacheTo: ['type=inline']
      }
    })
    const flags = argv.slice(argv.indexOf('--target') + 2, argv.indexOf('--metadata-file'))
    expect(flags).toEqual([
      '--secret',
      'id=npm,src=/runner/temp/deploykit-build-x/secrets/secret-0',
      '--secret',
      'id=odd,"src=/work/a,b ""c"".txt"',
      '--secret',
      'id=token,env=GH_TOKEN',
      '--ssh',
      'default',
      '--no-cache',
      '--pull',
      '--build-context',
      'shared=./shared',
      '--provenance=mode=max',
      '--sbom=true',
      '--cache-from',
      'type=gha,scope=backend',
      '--cache-to',
      'type=inline'
    ])
  })

  it('passes no-cache and pull to the classic builder', () => {
    const argv = dockerBuild(request, '/tmp/b/backend.iid', { noCache: true, pull: true })
    expect(argv).toContain('--no-cache')
    expect(argv).toContain('--pull')
  })
})
