import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BuildSettings,
  chooseBuilder,
  dockerfileStages,
  readBuildSettings
} from '../../../src/build-image/settings.js'
import { GitContext } from '../../../src/build-image/tags.js'
import { InputError } from '../../../src/core/errors.js'
import { mapInputs } from '../../../src/core/inputs.js'
import { captureOutput, visibleLog } from '../../helpers/capture-output.js'

const GIT: GitContext = {
  sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  ref: 'refs/heads/main',
  repository: 'Example/app',
  serverUrl: 'https://github.com',
  defaultBranch: 'main'
}

// Made at load time: the it.each tables below name these paths.
const dir = mkdtempSync(join(tmpdir(), 'deploykit-build-settings-'))
const backend = join(dir, 'backend')
const frontend = join(dir, 'frontend')
mkdirSync(backend)
mkdirSync(frontend)
writeFileSync(
  join(backend, 'Dockerfile.prod'),
  'FROM golang:1.22 AS build\nRUN go build\nfrom --platform=$BUILDPLATFORM alpine as Runtime\n'
)
writeFileSync(join(frontend, 'Dockerfile'), 'FROM node:20\n')

afterAll(() => rmSync(dir, { recursive: true, force: true }))

function settings(values: Record<string, string>, git = GIT): BuildSettings {
  return readBuildSettings(
    mapInputs({ images: `backend=${backend}:Dockerfile.prod`, ...values }),
    git
  )
}

function inputError(values: Record<string, string>, git = GIT): InputError {
  try {
    settings(values, git)
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return err as InputError
  }
  throw new Error('expected an InputError')
}

describe('images', () => {
  it('reads name=context[:dockerfile] lines, the Dockerfile relative to the context', () => {
    const s = settings({
      images: `backend=${backend}:Dockerfile.prod\n# a comment\nfrontend=${frontend}`,
      registry: 'registry.example.com:5000/team'
    })
    expect(s.images).toEqual([
      {
        name: 'backend',
        repository: 'registry.example.com:5000/team/backend',
        context: backend,
        dockerfile: join(backend, 'Dockerfile.prod'),
        target: undefined
      },
      {
        name: 'frontend',
        repository: 'registry.example.com:5000/team/frontend',
        context: frontend,
        dockerfile: join(frontend, 'Dockerfile'),
        target: undefined
      }
    ])
  })

  it('puts a bare name under the repository owner on ghcr.io, the default registry', () => {
    expect(settings({}).images[0].repository).toBe('ghcr.io/example/backend')
    expect(settings({ images: `acme/api=${backend}:Dockerfile.prod` }).images[0].repository).toBe(
      'ghcr.io/acme/api'
    )
    expect(settings({ registry: 'ghcr.io/acme' }).images[0].repository).toBe('ghcr.io/acme/backend')
  })

  it.each([
    ['an empty list', { images: '' }, /Input 'images': is empty/],
    ['a line without =', { images: backend }, /is not name=context\[:dockerfile\]/],
    ['an upper-case name', { images: `Backend=${backend}` }, /"Backend" is not a valid image name/],
    [
      'a missing context',
      { images: `api=${join(tmpdir(), 'deploykit-no-such-dir')}` },
      /the build context .*deploykit-no-such-dir" of api is not a directory/
    ],
    [
      'a missing Dockerfile',
      { images: `api=${backend}` },
      /the Dockerfile ".*backend\/Dockerfile" of api does not exist/
    ],
    [
      'a name listed twice',
      { images: `api=${backend}:Dockerfile.prod\napi=${frontend}` },
      /"api" is listed twice/
    ],
    ['a bad registry', { registry: 'https://ghcr.io' }, /Input 'registry': "https:\/\/ghcr.io"/]
  ])('rejects %s', (_what, values, message) => {
    expect(inputError(values).message).toMatch(message)
  })
})

describe('target', () => {
  it('applies one stage to every image, or a stage per image by name', () => {
    const both = `backend=${backend}:Dockerfile.prod\nfrontend=${frontend}`
    expect(settings({ target: 'build' }).images[0].target).toBe('build')
    const s = settings({ images: both, target: 'backend=runtime' })
    expect(s.images.map(i => i.target)).toEqual(['runtime', undefined])
  })

  it('checks the stage exists in the Dockerfile, case-insensitively as docker does', () => {
    expect(settings({ target: 'RUNTIME' }).images[0].target).toBe('RUNTIME')
    expect(inputError({ target: 'test' }).message).toMatch(
      /has no stage "test"\. Its stages are: build, Runtime/
    )
    expect(inputError({ target: 'web=runtime' }).message).toMatch(
      /Input 'target': names "web", which is not in images/
    )
  })

  it('finds stages after FROM flags', () => {
    expect(
      dockerfileStages('FROM --platform=linux/amd64 a AS one\nFROM one\nFROM b as two')
    ).toEqual(['one', 'two'])
  })
})

describe('tags', () => {
  it('adds the tags input to the default tags, without duplicates', () => {
    expect(settings({ tags: 'stable\nlatest, v2' }).tags).toEqual([
      'main',
      'latest',
      'sha-a1b2c3d',
      'stable',
      'v2'
    ])
  })

  it('uses only the tags input with default-tags: false', () => {
    expect(settings({ tags: 'stable', 'default-tags': 'false' }).tags).toEqual(['stable'])
  })

  it('rejects a tag Docker would reject, before anything is built', () => {
    expect(inputError({ tags: 'ok\nfeature/x' }).message).toMatch(
      /Input 'tags': "feature\/x" is not a valid tag/
    )
    expect(inputError({ tags: '.hidden' }).message).toMatch(/"\.hidden" is not a valid tag/)
  })

  it('needs some tag outside a workflow', () => {
    const none: GitContext = { ...GIT, sha: '', ref: '' }
    expect(inputError({}, none).message).toMatch(/Input 'tags': no tags/)
    expect(settings({ tags: 'dev' }, none).tags).toEqual(['dev'])
  })
})

describe('build-args, labels and platforms', () => {
  it('reads KEY=VALUE build-args, and KEY alone to pass it from the environment', () => {
    expect(settings({ 'build-args': 'VERSION=1.2=3\nEMPTY=\nNPM_TOKEN' }).buildArgs).toEqual([
      ['VERSION', '1.2=3'],
      ['EMPTY', ''],
      ['NPM_TOKEN']
    ])
    expect(inputError({ 'build-args': '1BAD=x' }).message).toMatch(
      /Input 'build-args': "1BAD" is not a build argument name/
    )
  })

  it('reads extra labels and platforms', () => {
    const s = settings({
      labels: 'org.opencontainers.image.vendor=ACME Corp',
      platforms: 'linux/amd64, linux/arm64/v8'
    })
    expect(s.extraLabels).toEqual({ 'org.opencontainers.image.vendor': 'ACME Corp' })
    expect(s.platforms).toEqual(['linux/amd64', 'linux/arm64/v8'])
    expect(inputError({ platforms: 'amd64' }).message).toMatch(/"amd64" is not a platform/)
    expect(inputError({ labels: 'no value' }).message).toMatch(/Input 'labels'/)
  })

  it('reads push, cache and builder with their defaults', () => {
    const s = settings({})
    expect([s.push, s.cache, s.builder, s.logout]).toEqual([true, 'none', 'auto', true])
    expect(inputError({ cache: 'local' }).message).toMatch(
      /"local" is not one of none, gha, registry/
    )
  })
})

describe('login', () => {
  it('logs in to the registry host with the password, masking it first', async () => {
    const password = 'registry-password-7f3a'
    const { output, value } = await captureOutput(async () =>
      settings({ registry: 'registry.example.com/team', username: 'ci', password })
    )
    expect(value?.login).toEqual({ host: 'registry.example.com', username: 'ci', password })
    expect(output).toContain(`::add-mask::${password}`)
    expect(visibleLog(output)).not.toContain(password)
  })

  it('uses the workflow token and actor on ghcr.io when no password is given', () => {
    const saved = process.env.GITHUB_ACTOR
    process.env.GITHUB_ACTOR = 'octocat'
    try {
      expect(settings({ 'github-token': 'ghs_token' }).login).toEqual({
        host: 'ghcr.io',
        username: 'octocat',
        password: 'ghs_token'
      })
      expect(settings({ registry: 'docker.io', 'github-token': 'ghs_token' }).login).toBeUndefined()
    } finally {
      if (saved === undefined) delete process.env.GITHUB_ACTOR
      else process.env.GITHUB_ACTOR = saved
    }
  })

  it('needs a username for a password', () => {
    const saved = process.env.GITHUB_ACTOR
    delete process.env.GITHUB_ACTOR
    try {
      expect(inputError({ registry: 'docker.io', password: 'x' }).message).toMatch(
        /Input 'username': is empty/
      )
    } finally {
      if (saved !== undefined) process.env.GITHUB_ACTOR = saved
    }
  })
})

describe('chooseBuilder', () => {
  it('uses buildx when the runner has it, and the classic builder otherwise', () => {
    expect(chooseBuilder(settings({}), true).builder).toBe('buildx')
    expect(chooseBuilder(settings({}), false).builder).toBe('docker')
    expect(chooseBuilder(settings({ builder: 'docker' }), true).builder).toBe('docker')
  })

  it('warns that the classic builder has no gha or registry cache', () => {
    expect(chooseBuilder(settings({ cache: 'gha' }), false).warnings).toEqual([
      expect.stringMatching(/cache: gha needs buildx/)
    ])
    expect(chooseBuilder(settings({ cache: 'gha' }), true).warnings).toEqual([])
  })

  it('rejects what the chosen builder cannot do', () => {
    expect(() => chooseBuilder(settings({ builder: 'buildx' }), false)).toThrow(
      /Input 'builder': is buildx, but `docker buildx` is not available/
    )
    expect(() => chooseBuilder(settings({ platforms: 'linux/amd64,linux/arm64' }), false)).toThrow(
      /Input 'platforms': several platforms .* need buildx/
    )
    expect(() =>
      chooseBuilder(settings({ platforms: 'linux/amd64,linux/arm64', push: 'false' }), true)
    ).toThrow(/Input 'push': is false, but an image for several platforms cannot be loaded/)
    expect(chooseBuilder(settings({ platforms: 'linux/arm64' }), false).builder).toBe('docker')
  })
})

describe("tags in metadata-action's rules", () => {
  const TAG_PUSH: GitContext = { ...GIT, ref: 'refs/tags/v1.2.3' }

  it('gives the rules, flavor and version for the event, and labels from expressions', () => {
    const s = settings(
      {
        tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=sha',
        flavor: 'latest=auto',
        labels: 'org.example.built-from={{tag}}'
      },
      TAG_PUSH
    )
    expect(s.tagMode).toBe('rules')
    expect(s.tags).toEqual(['1.2.3', '1.2', 'sha-a1b2c3d', 'latest'])
    expect(s.version).toBe('1.2.3')
    expect(s.extraLabels).toEqual({ 'org.example.built-from': 'v1.2.3' })
  })

  it('names the input a bad rule or flavor is in', () => {
    expect(inputError({ tags: 'type=semver' }).message).toMatch(
      /^Input 'tags': "type=semver" has no pattern attribute/
    )
    expect(inputError({ flavor: 'latest=sometimes' }).message).toMatch(
      /^Input 'flavor': latest must be auto, true or false/
    )
    expect(inputError({ labels: "a={{date 'YYYY' zone='x'}}" }).message).toMatch(
      /^Input 'labels': Unknown zone attribute/
    )
  })

  it('refuses rules that give no tag for this event, with the fix', () => {
    expect(inputError({ tags: 'type=semver,pattern={{version}}' }).message).toMatch(
      /^Input 'tags': no rule gives a tag for this event .*ref "refs\/heads\/main".*type=sha/
    )
  })

  it('keeps the warning metadata-action gives for a tag that is not a version', () => {
    const s = settings(
      { tags: 'type=semver,pattern={{version}}\ntype=ref,event=tag' },
      { ...GIT, ref: 'refs/tags/release-1' }
    )
    expect(s.tags).toEqual(['release-1', 'latest'])
    expect(s.warnings).toEqual([expect.stringMatching(/release-1 is not a valid semver/)])
  })
})

describe('BuildKit inputs', () => {
  it('reads secrets, secret files and envs, ssh, contexts, attestations and cache entries', () => {
    const secretFile = join(dir, 'npmrc')
    writeFileSync(secretFile, '//registry/:_authToken=x\n')
    process.env.BUILDMETA_TEST_TOKEN = 'from-env'
    try {
      const s = settings({
        secrets: 'NPM_TOKEN=s3cr=t',
        'secret-files': `npmrc=${secretFile}`,
        'secret-envs': 'token=BUILDMETA_TEST_TOKEN',
        ssh: `deploy=${secretFile}`,
        'no-cache': 'true',
        pull: 'true',
        'build-contexts': 'shared=./shared\nbase=docker-image://alpine:3.20',
        provenance: 'mode=max',
        sbom: 'true',
        'cache-from': 'type=gha\nghcr.io/acme/app:cache',
        'cache-to': 'type=gha,mode=max'
      })
      expect(s.buildkit).toEqual({
        secrets: [{ id: 'NPM_TOKEN', value: 's3cr=t' }],
        secretFiles: [{ id: 'npmrc', path: secretFile }],
        secretEnvs: [{ id: 'token', env: 'BUILDMETA_TEST_TOKEN' }],
        ssh: [`deploy=${secretFile}`],
        noCache: true,
        pull: true,
        buildContexts: ['shared=./shared', 'base=docker-image://alpine:3.20'],
        provenance: 'mode=max',
        sbom: 'true',
        cacheFrom: ['type=gha', 'type=registry,ref=ghcr.io/acme/app:cache'],
        cacheTo: ['type=gha,mode=max']
      })
    } finally {
      delete process.env.BUILDMETA_TEST_TOKEN
    }
  })

  it('masks a secret before anything can print it, even when its line is refused', async () => {
    const { output } = await captureOutput(async () => {
      try {
        settings({ secrets: 'bad id=hunter2-value' })
      } catch {
        // the refusal is checked below
      }
    })
    expect(output).toContain('::add-mask::hunter2-value')
    expect(visibleLog(output)).not.toContain('hunter2-value')
  })

  it.each([
    [{ secrets: 'no-value' }, /^Input 'secrets': has a line that is not id=value/],
    [{ secrets: 'a b=1' }, /^Input 'secrets': "a b" is not a secret id/],
    [{ secrets: 'x=1\nx=2' }, /^Input 'secrets': the secret id "x" is given twice/],
    [
      { 'secret-files': 'npmrc=/nonexistent/npmrc' },
      /^Input 'secret-files': the file .* does not exist/
    ],
    [
      { 'secret-envs': 'token=BUILDMETA_UNSET_VAR' },
      /^Input 'secret-envs': names BUILDMETA_UNSET_VAR, which this step's environment does not set/
    ],
    [{ ssh: 'not an id' }, /^Input 'ssh': "not an id" is not default or id=path/],
    [
      { ssh: 'deploy=/nonexistent/key' },
      /^Input 'ssh': the key or socket "\/nonexistent\/key" of deploy does not exist/
    ],
    [{ 'build-contexts': 'noequals' }, /^Input 'build-contexts': line "noequals" is not id=value/],
    [{ provenance: 'mode=max;rm -rf' }, /^Input 'provenance': .* is not an attestation setting/],
    [{ 'cache-from': 'ref=ghcr.io/a/b:cache' }, /^Input 'cache-from': .* names no type/],
    [
      { cache: 'gha', 'cache-to': 'type=inline' },
      /^Input 'cache': is gha, and cache-from\/cache-to are set too/
    ]
  ])('refuses %p', (values, message) => {
    expect(inputError(values).message).toMatch(message)
  })

  it('refuses BuildKit-only inputs on the classic builder, naming them', () => {
    expect(() =>
      chooseBuilder(settings({ secrets: 'a=1', 'cache-to': 'type=inline' }), false)
    ).toThrow(
      /^Input 'secrets': needs BuildKit \(buildx\), which this runner does not have; so do: secrets, cache-to/
    )
    expect(() =>
      chooseBuilder(settings({ ssh: `key=${backend}/Dockerfile.prod`, builder: 'docker' }), true)
    ).toThrow(/builder: docker turns off/)
    expect(chooseBuilder(settings({ 'no-cache': 'true', pull: 'true' }), false).builder).toBe(
      'docker'
    )
  })
})
