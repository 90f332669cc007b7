import { ChildProcess, spawn } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run, runChecked, tail, waitFor } from './run.js'

/** A shell, httpd, wget and friends in about 2 MB; starts in milliseconds. */
export const BUSYBOX_IMAGE = 'deploykit-testbed/busybox:1'

/** Debian bookworm with what the sample apps need: Django, Alembic, PostgreSQL, Redis, nginx, curl. */
export const DEBIAN_IMAGE = 'deploykit-testbed/debian:2'

// No container registry is reachable from the test machines, but the Debian
// mirror is, so the images are made from the host's busybox and from debootstrap.
const DEBIAN_MIRROR = 'http://deb.debian.org/debian'
const DEBIAN_SUITE = 'bookworm'
const DEBIAN_PACKAGES = [
  'python3-django',
  'python3-psycopg2',
  'alembic',
  'postgresql',
  'redis-server',
  'nginx-light',
  'curl'
]
const DEBOOTSTRAP_TIMEOUT_MS = 20 * 60_000
const HOST_BUSYBOX = '/bin/busybox'

// Several test files (and jest's global setup) may ask at once, possibly from
// different processes: one process builds while the others wait on this file.
const LOCK_PATH = join(tmpdir(), 'deploykit-testbed-images.lock')
const LOCK_WAIT_MS = 30 * 60_000

let pending: Promise<{ busybox: string; debian: string }> | undefined

/** Builds the two base images unless Docker already has them, and returns their names. */
export function ensureBaseImages(): Promise<{ busybox: string; debian: string }> {
  pending ??= buildMissingImages().catch(err => {
    // Let a later call try again rather than replay the same failure.
    pending = undefined
    throw err
  })
  return pending
}

async function buildMissingImages(): Promise<{ busybox: string; debian: string }> {
  const names = { busybox: BUSYBOX_IMAGE, debian: DEBIAN_IMAGE }
  if ((await imageExists(BUSYBOX_IMAGE)) && (await imageExists(DEBIAN_IMAGE))) return names
  await withLock(async () => {
    // Whoever held the lock before us may have built them meanwhile.
    if (!(await imageExists(BUSYBOX_IMAGE))) await buildAndVerify(BUSYBOX_IMAGE, buildBusybox)
    if (!(await imageExists(DEBIAN_IMAGE))) await buildAndVerify(DEBIAN_IMAGE, buildDebian)
  })
  return names
}

async function imageExists(name: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', name])).code === 0
}

/** An image that fails its checks is removed, so the cache never holds a broken one. */
async function buildAndVerify(name: string, build: (name: string) => Promise<void>): Promise<void> {
  const started = Date.now()
  console.log(`testbed: building ${name}`)
  try {
    await build(name)
    await verify(name)
  } catch (err) {
    await run('docker', ['image', 'rm', '--force', name])
    throw err
  }
  console.log(`testbed: ${name} built and verified in ${seconds(started)}s`)
}

async function buildBusybox(name: string): Promise<void> {
  await withTempDir('deploykit-busybox-', async dir => {
    // Busybox is the shell, so a Dockerfile step cannot run `busybox --install`
    // in a FROM scratch image: the applet links are made here on the host.
    const rootfs = join(dir, 'rootfs')
    mkdirSync(join(rootfs, 'bin'), { recursive: true })
    mkdirSync(join(rootfs, 'etc'))
    mkdirSync(join(rootfs, 'tmp'))
    chmodSync(join(rootfs, 'tmp'), 0o1777)
    copyFileSync(HOST_BUSYBOX, join(rootfs, 'bin', 'busybox'))
    chmodSync(join(rootfs, 'bin', 'busybox'), 0o755)
    const { stdout } = await runChecked(HOST_BUSYBOX, ['--list'])
    for (const applet of stdout.split('\n').filter(a => a && a !== 'busybox')) {
      symlinkSync('busybox', join(rootfs, 'bin', applet))
    }
    // httpd and `id` look users up by name; these are the ones they ask for.
    writeFileSync(
      join(rootfs, 'etc', 'passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'
    )
    writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n')
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY rootfs/ /\nCMD ["sh"]\n')
    // The classic builder ships with every engine; BuildKit needs the buildx plugin.
    await runChecked('docker', ['build', '--quiet', '--tag', name, dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' }
    })
  })
}

async function buildDebian(name: string): Promise<void> {
  await withTempDir('deploykit-debian-', async dir => {
    const rootfs = join(dir, 'rootfs')
    const started = Date.now()
    console.log(`testbed: debootstrap ${DEBIAN_SUITE} into ${rootfs} (a minute or two)`)
    const debootstrap = await run(
      'debootstrap',
      [
        '--variant=minbase',
        `--include=${DEBIAN_PACKAGES.join(',')}`,
        DEBIAN_SUITE,
        rootfs,
        DEBIAN_MIRROR
      ],
      { timeoutMs: DEBOOTSTRAP_TIMEOUT_MS }
    )
    if (debootstrap.code !== 0) {
      // debootstrap keeps the details of a failure in its own log inside the target.
      const log = readOrEmpty(join(rootfs, 'debootstrap', 'debootstrap.log'))
      throw new Error(
        `debootstrap exited with code ${debootstrap.code}:\n` +
          `${tail(debootstrap.stderr)}\n${tail(log)}`
      )
    }
    console.log(`testbed: debootstrap done in ${seconds(started)}s, importing into Docker`)
    // Package lists and the .deb cache are only needed to install more, which the tests never do.
    rmSync(join(rootfs, 'var', 'lib', 'apt', 'lists'), { recursive: true, force: true })
    rmSync(join(rootfs, 'var', 'cache', 'apt'), { recursive: true, force: true })
    await importRootfs(rootfs, name, [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'CMD ["/bin/bash"]'
    ])
  })
}

/** `tar -C rootfs -c . | docker import --change ... - name`, without a shell. */
function importRootfs(rootfs: string, name: string, changes: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // Numeric owners: the rootfs has its own users, whose names the host may not know.
    const tar = spawn('tar', ['--numeric-owner', '-C', rootfs, '-c', '.'], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const importer = spawn(
      'docker',
      ['import', ...changes.flatMap(c => ['--change', c]), '-', name],
      { stdio: ['pipe', 'ignore', 'pipe'] }
    )
    tar.stdout.pipe(importer.stdin)
    let stderr = ''
    tar.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk))
    importer.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk))
    const exited = (child: ChildProcess) =>
      new Promise<number>(done => {
        child.on('error', err => {
          stderr += String(err)
          done(-1)
        })
        child.on('close', code => done(code ?? -1))
      })
    Promise.all([exited(tar), exited(importer)]).then(([tarCode, importCode]) => {
      if (tarCode === 0 && importCode === 0) resolve()
      else reject(new Error(`tar (${tarCode}) | docker import (${importCode}):\n${tail(stderr)}`))
    })
  })
}

/** What each image must be able to do: a command, and what its output must contain. */
const CHECKS: Record<string, Array<{ argv: string[]; expect: string }>> = {
  [BUSYBOX_IMAGE]: [
    {
      argv: ['sh', '-c', 'set -e; for a in httpd wget sleep cat echo; do which $a; done; echo ok'],
      expect: 'ok'
    },
    { argv: ['sh', '-c', 'wget --help >/dev/null 2>&1; echo ok'], expect: 'ok' }
  ],
  [DEBIAN_IMAGE]: [
    { argv: ['python3', '-c', "import django, psycopg2, alembic; print('ok')"], expect: 'ok' },
    { argv: ['/usr/lib/postgresql/15/bin/postgres', '--version'], expect: 'PostgreSQL) 15' },
    { argv: ['redis-server', '--version'], expect: 'Redis server' },
    // nginx prints its version on stderr.
    { argv: ['sh', '-c', 'nginx -v 2>&1'], expect: 'nginx version' },
    { argv: ['curl', '--version'], expect: 'curl ' },
    { argv: ['cat', '/etc/os-release'], expect: DEBIAN_SUITE }
  ]
}

async function verify(name: string): Promise<void> {
  for (const { argv, expect } of CHECKS[name] ?? []) {
    const { stdout } = await runChecked('docker', ['run', '--rm', name, ...argv])
    if (!stdout.includes(expect)) {
      throw new Error(`${name}: \`${argv.join(' ')}\` printed no "${expect}":\n${tail(stdout)}`)
    }
  }
}

/** A lock file holding its owner's pid; one left by a process that died is taken over. */
async function withLock(work: () => Promise<void>): Promise<void> {
  await waitFor(
    async () => tryLock(),
    LOCK_WAIT_MS,
    `another process to build images (${LOCK_PATH})`
  )
  try {
    await work()
  } finally {
    rmSync(LOCK_PATH, { force: true })
  }
}

function tryLock(): boolean {
  try {
    writeFileSync(LOCK_PATH, String(process.pid), { flag: 'wx' })
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  const owner = Number(readOrEmpty(LOCK_PATH))
  // An empty file is a lock being written this instant, unless it has been empty for a while.
  const ownerGone = owner > 0 ? !pidExists(owner) : Date.now() - mtimeMs(LOCK_PATH) > 10_000
  if (ownerGone) rmSync(LOCK_PATH, { force: true })
  return false
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A temp dir that is removed afterwards, even when the work fails. */
async function withTempDir(prefix: string, work: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  try {
    await work(dir)
  } finally {
    await removeTree(dir)
  }
}

/**
 * debootstrap mounts /proc and /sys inside its target while it works, and a
 * killed run can leave them there; deleting through them would reach the
 * host's. Such mounts are detached first, and if any remain the tree is kept.
 */
async function removeTree(dir: string): Promise<void> {
  const mountsUnder = () =>
    readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map(line => line.split(' ')[1] ?? '')
      .filter(mountPoint => mountPoint.startsWith(dir + '/'))
  for (const mountPoint of mountsUnder().reverse()) {
    await run('umount', ['--lazy', mountPoint])
  }
  const left = mountsUnder()
  if (left.length > 0) {
    throw new Error(`not removing ${dir}: still mounted there: ${left.join(', ')}`)
  }
  rmSync(dir, { recursive: true, force: true })
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return Date.now()
  }
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 1000)
}
