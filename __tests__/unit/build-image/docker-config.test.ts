import { afterEach, describe, expect, it } from '@jest/globals'
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  makePrivateConfigDir,
  privateConfigFile,
  readUserConfigFile,
  registryHostname,
  userDockerConfigDir,
  writePrivateConfig
} from '../../../src/build-image/docker-config.js'

const made: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-unit-'))
  made.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)

describe("the user's docker config", () => {
  it('is DOCKER_CONFIG, else .docker in HOME', () => {
    expect(userDockerConfigDir({ DOCKER_CONFIG: '/etc/docker-ci', HOME: '/home/runner' })).toBe(
      '/etc/docker-ci'
    )
    expect(userDockerConfigDir({ HOME: '/home/runner' })).toBe('/home/runner/.docker')
  })

  it('reads as empty, with a warning naming the file, when it is not JSON', () => {
    const dir = tempDir()
    const warnings: string[] = []
    expect(readUserConfigFile(dir, w => warnings.push(w))).toEqual({})
    writeFileSync(join(dir, 'config.json'), '{"auths": ')
    expect(readUserConfigFile(dir, w => warnings.push(w))).toEqual({})
    expect(warnings).toEqual([expect.stringMatching(/config\.json is not valid JSON/)])
  })
})

describe('registry host names', () => {
  it('are one name for Docker Hub however it is written, without scheme or path otherwise', () => {
    expect(registryHostname('https://index.docker.io/v1/')).toBe('docker.io')
    expect(registryHostname('registry-1.docker.io')).toBe('docker.io')
    expect(registryHostname('https://GHCR.io')).toBe('ghcr.io')
    expect(registryHostname('127.0.0.1:5000')).toBe('127.0.0.1:5000')
  })
})

describe('the private config.json', () => {
  it("keeps the user's settings and other registries, and no way to store the login elsewhere", () => {
    const user = {
      auths: { 'ghcr.io': { auth: 'b2xkOnRva2Vu' }, 'registry.example.com': { auth: 'eDp5' } },
      credHelpers: { 'ghcr.io': 'gh', '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
      currentContext: 'remote',
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
      aliases: { builder: 'buildx' }
    }
    expect(privateConfigFile(user, 'ghcr.io')).toEqual({
      auths: { 'registry.example.com': { auth: 'eDp5' } },
      credHelpers: { '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
      currentContext: 'remote',
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
      aliases: { builder: 'buildx' }
    })
  })

  it('drops credsStore, whose helper would keep the login, and reaches its other logins per registry', () => {
    const user = { auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'pass' }
    expect(
      privateConfigFile(user, 'registry.example.com', [
        'https://index.docker.io/v1/',
        'registry.example.com'
      ])
    ).toEqual({
      auths: { 'https://index.docker.io/v1/': {} },
      credHelpers: { 'https://index.docker.io/v1/': 'pass' }
    })
    expect(privateConfigFile(user, 'docker.io', ['https://index.docker.io/v1/'])).toEqual({})
  })
})

describe('the private directory', () => {
  it('is mode 700 with config.json mode 600, linking the contexts, plugins and builders the user has', () => {
    const user = tempDir()
    mkdirSync(join(user, 'buildx'))
    mkdirSync(join(user, 'contexts'))
    const dir = makePrivateConfigDir(tempDir())
    writePrivateConfig(dir, { currentContext: 'remote' }, user)
    expect(mode(dir)).toBe('700')
    expect(mode(join(dir, 'config.json'))).toBe('600')
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({
      currentContext: 'remote'
    })
    expect(readlinkSync(join(dir, 'buildx'))).toBe(join(user, 'buildx'))
    expect(readlinkSync(join(dir, 'contexts'))).toBe(join(user, 'contexts'))
    expect(() => lstatSync(join(dir, 'cli-plugins'))).toThrow()
  })

  it('is removed without touching what its links point to', () => {
    const user = tempDir()
    mkdirSync(join(user, 'buildx'))
    writeFileSync(join(user, 'buildx', 'current'), '{}')
    const dir = makePrivateConfigDir(tempDir())
    writePrivateConfig(dir, {}, user)
    rmSync(dir, { recursive: true, force: true })
    expect(readFileSync(join(user, 'buildx', 'current'), 'utf8')).toBe('{}')
  })
})
