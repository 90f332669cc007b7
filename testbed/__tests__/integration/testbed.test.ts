// The testbed itself: a real Docker engine, the cached base images and a
// local registry with a password. Later suites build on these.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureDocker, stopDocker } from '../../docker.js'
import { ensureBaseImages } from '../../images.js'
import { ensurePrerequisites } from '../../prerequisites.js'
import { Registry, startRegistry } from '../../registry.js'
import { run, runChecked } from '../../run.js'

let dockerPid: number | undefined
let images: { busybox: string; debian: string }
const containers: string[] = []

beforeAll(async () => {
  ensurePrerequisites()
  dockerPid = (await ensureDocker()).startedPid
  images = await ensureBaseImages()
}, 30 * 60_000)

afterAll(async () => {
  for (const id of containers) await run('docker', ['rm', '--force', id])
  if (dockerPid) await stopDocker(dockerPid)
})

describe('testbed', () => {
  it('serves HTTP from the busybox image on a published loopback port', async () => {
    const started = await runChecked('docker', [
      'run',
      '-d',
      '-p',
      '127.0.0.1::8080',
      images.busybox,
      'sh',
      '-c',
      'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www'
    ])
    const id = started.stdout.trim()
    containers.push(id)
    const port = (await runChecked('docker', ['port', id, '8080/tcp'])).stdout
      .trim()
      .split(':')
      .pop()
    let body = ''
    for (let i = 0; i < 50 && body !== 'hello\n'; i++) {
      body = await fetch(`http://127.0.0.1:${port}/`).then(
        r => r.text(),
        () => ''
      )
      if (body !== 'hello\n') await new Promise(r => setTimeout(r, 100))
    }
    expect(body).toBe('hello\n')
  })

  it('has Django, psycopg2, Alembic, PostgreSQL and nginx in the Debian image', async () => {
    const r = await runChecked('docker', [
      'run',
      '--rm',
      images.debian,
      'sh',
      '-c',
      'python3 -c "import django, psycopg2, alembic; print(django.VERSION[0])" && /usr/lib/postgresql/15/bin/postgres --version && nginx -v 2>&1'
    ])
    expect(r.stdout).toMatch(/^\d+\n/)
    expect(r.stdout).toMatch(/postgres \(PostgreSQL\) 15/)
    expect(r.stdout).toMatch(/nginx version/)
  })

  describe('registry', () => {
    let registry: Registry
    const config = mkdtempSync(join(tmpdir(), 'deploykit-docker-config-'))
    const env = { ...process.env, DOCKER_CONFIG: config }
    beforeAll(async () => {
      registry = await startRegistry()
    })
    afterAll(async () => {
      await registry?.stop()
      rmSync(config, { recursive: true, force: true })
    })

    it('refuses a wrong password and takes a push and pull with the right one', async () => {
      const wrong = await run(
        'docker',
        ['login', registry.address, '-u', registry.username, '--password-stdin'],
        { input: 'wrong', env }
      )
      expect(wrong.code).not.toBe(0)
      await runChecked(
        'docker',
        ['login', registry.address, '-u', registry.username, '--password-stdin'],
        { input: registry.password, env }
      )
      const ref = `${registry.address}/testbed/busybox:probe`
      await runChecked('docker', ['tag', images.busybox, ref], { env })
      await runChecked('docker', ['push', ref], { env })
      await runChecked('docker', ['image', 'rm', ref], { env })
      await runChecked('docker', ['pull', ref], { env })
      const digest = await runChecked(
        'docker',
        ['image', 'inspect', '--format', '{{index .RepoDigests 0}}', ref],
        { env }
      )
      expect(digest.stdout.trim()).toMatch(
        new RegExp(`^${registry.address}/testbed/busybox@sha256:[0-9a-f]{64}$`)
      )
      await runChecked('docker', ['image', 'rm', ref], { env })
    })
  })
})
