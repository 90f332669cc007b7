import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { BUSYBOX_IMAGE } from './images.js'
import { run, runChecked } from './run.js'

/**
 * A tiny Compose app in a git repository, shaped like the seeds' apps: a
 * `backend` image built FROM the busybox base, serving /version.txt with
 * busybox httpd on the port set by APP_PORT in the env file, with a healthcheck.
 */
export interface AppRepo {
  /** Bare repository: the `repository` input (a path works as a git URL). */
  bare: string
  /** Work tree the test commits to (and uploads from). */
  work: string
  branch: string
  composeFile: string
  /** Commits a new version and pushes it; returns the commit sha. */
  release(version: string, opts?: { healthy?: boolean }): Promise<string>
  /** Removes the images built from it (after the compose projects that ran them) and its files. */
  cleanup(): Promise<void>
}

export interface AppShape {
  branch: 'main' | 'master'
  /** Compose file path inside the repo, e.g. `deploy/docker-compose.prod.yml`. */
  composeFile: string
  /** Extra service definitions appended under services:. */
  extraServices?: string
}

function composeText(contextFromCompose: string, extra = ''): string {
  return `version: "2.4"
services:
  backend:
    build: ${contextFromCompose}
    ports:
      - "127.0.0.1:\${APP_PORT}:8080"
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health.txt"]
      interval: 1s
      timeout: 2s
      retries: 3
${extra}`
}

/** On every image built from an app repo: the images of failed releases end up nameless. */
const APP_LABEL = 'deploykit-testbed.app'

const git = (cwd: string, ...args: string[]) =>
  runChecked('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd })

export async function createAppRepo(shape: AppShape): Promise<AppRepo> {
  const root = mkdtempSync(join(tmpdir(), 'deploykit-app-'))
  const work = join(root, 'work')
  const bare = join(root, 'origin.git')
  mkdirSync(join(work, 'www'), { recursive: true })
  await git(root, 'init', '-q', '-b', shape.branch, work)
  const depth = shape.composeFile.split('/').length - 1
  const context = depth === 0 ? '.' : Array(depth).fill('..').join('/')
  mkdirSync(join(work, dirname(shape.composeFile)), { recursive: true })
  writeFileSync(join(work, shape.composeFile), composeText(context, shape.extraServices))
  // httpd as PID 1 would ignore SIGTERM and make every stop wait for Docker's 10 s kill.
  writeFileSync(
    join(work, 'Dockerfile'),
    `FROM ${BUSYBOX_IMAGE}\nLABEL ${APP_LABEL}=${basename(root)}\nCOPY www /www\nCMD ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]\n`
  )
  writeFileSync(join(work, '.gitignore'), '.env\nnode_modules/\n')
  writeFileSync(join(work, '.dockerignore'), '.git\n')

  const release = async (version: string, opts: { healthy?: boolean } = {}) => {
    writeFileSync(join(work, 'www', 'version.txt'), `${version}\n`)
    const health = join(work, 'www', 'health.txt')
    if (opts.healthy === false) rmSync(health, { force: true })
    else writeFileSync(health, 'ok\n')
    await git(work, 'add', '-A')
    await git(work, 'commit', '-q', '--allow-empty', '-m', `release ${version}`)
    await git(work, 'push', '-q', bare, `HEAD:refs/heads/${shape.branch}`)
    return (await git(work, 'rev-parse', 'HEAD')).stdout.trim()
  }
  await runChecked('git', ['init', '-q', '--bare', '-b', shape.branch, bare])
  return {
    bare,
    work,
    branch: shape.branch,
    composeFile: shape.composeFile,
    release,
    async cleanup() {
      // A failed release's image has no name left once the rollback re-tags the old one.
      await removeImagesLabelled(`${APP_LABEL}=${basename(root)}`)
      rmSync(root, { recursive: true, force: true })
    }
  }
}

/** Removes the images with this label (`key` or `key=value`), named or not. */
export async function removeImagesLabelled(label: string): Promise<void> {
  const { stdout } = await run('docker', ['image', 'ls', '-q', '--filter', `label=${label}`])
  const ids = [...new Set(stdout.split('\n').filter(Boolean))]
  if (ids.length) await run('docker', ['image', 'rm', '--force', ...ids])
}

/** Ids of the project's containers, running or not, sorted: equal ids mean none was replaced. */
export async function projectContainers(project: string): Promise<string[]> {
  return (await labelled('container', project)).sort()
}

/** Ids of the containers, networks or volumes Compose labelled as the project's. */
async function labelled(
  kind: 'container' | 'network' | 'volume',
  project: string
): Promise<string[]> {
  const ls = kind === 'container' ? ['ps', '-aq'] : [kind, 'ls', '-q']
  const out = await run('docker', [
    ...ls,
    '--filter',
    `label=com.docker.compose.project=${project}`
  ])
  return out.stdout.split('\n').filter(Boolean)
}

/** Removes every container, network, volume and image a Compose project left, found by its labels and names. */
export async function removeComposeProject(project: string): Promise<void> {
  const ids = await labelled('container', project)
  if (ids.length) await run('docker', ['rm', '-f', ...ids])
  const nets = await labelled('network', project)
  if (nets.length) await run('docker', ['network', 'rm', ...nets])
  const images = (
    await run('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])
  ).stdout
    .split('\n')
    .filter(
      ref =>
        ref.startsWith(`${project}_`) ||
        ref.startsWith(`${project}-`) ||
        ref.startsWith(`deploykit-releases/${project}:`)
    )
  if (images.length) await run('docker', ['image', 'rm', '-f', ...images])
  const volumes = await labelled('volume', project)
  if (volumes.length) await run('docker', ['volume', 'rm', '-f', ...volumes])
}

/** GET a loopback URL, retrying while the service starts; returns the body or '' when it never answers. */
export async function httpText(url: string, attempts = 30): Promise<string> {
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
      if (res.ok) return await res.text()
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 200))
  }
  return ''
}
