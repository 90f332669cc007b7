import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** Compose v2 and buildx, as servers and runners have them: CLI plugins beside the v1 binary. */
const CLI_PLUGINS = '/usr/libexec/docker/cli-plugins'
const PLUGIN_SCRIPT = 'scripts/testbed/install-docker-plugins.sh'

/** What the testbed runs, and the Debian package that provides it. */
const NEEDED: Array<[path: string, pkg: string]> = [
  ['/usr/sbin/sshd', 'openssh-server'],
  ['/usr/bin/ssh-keygen', 'openssh-client'],
  ['/usr/sbin/dockerd', 'docker.io'],
  ['/usr/bin/docker-compose', 'docker-compose'],
  ['/bin/busybox', 'busybox-static'],
  ['/usr/sbin/debootstrap', 'debootstrap'],
  ['/usr/bin/docker-registry', 'docker-registry'],
  ['/usr/bin/htpasswd', 'apache2-utils'],
  ['/usr/sbin/useradd', 'passwd'],
  // The fleet hosts: network namespaces and veth pairs, entering namespaces.
  ['/sbin/ip', 'iproute2'],
  ['/usr/bin/nsenter', 'util-linux']
]

export const TESTBED_PACKAGES = [...new Set(NEEDED.map(([, pkg]) => pkg))]

/**
 * Installs the testbed's Debian packages when running as root; otherwise
 * fails once, listing what to install.
 */
export function ensurePrerequisites(): void {
  ensurePackages()
  ensureCliPlugins()
}

function ensurePackages(): void {
  const missing = [...new Set(NEEDED.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg))]
  if (missing.length === 0) return
  if (process.getuid?.() !== 0) {
    throw new Error(
      `The integration testbed needs these Debian packages: ${missing.join(' ')}. ` +
        `Install them with: sudo apt-get install -y ${missing.join(' ')} (and run the tests as root, which sshd and dockerd need).`
    )
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env
  })
}

function ensureCliPlugins(): void {
  const plugins = ['docker-compose', 'docker-buildx'].map(p => `${CLI_PLUGINS}/${p}`)
  if (plugins.every(p => existsSync(p))) return
  if (process.getuid?.() !== 0) {
    throw new Error(
      `The testbed needs Compose v2 and buildx as Docker CLI plugins (${plugins.join(', ')}). ` +
        `Install them as root with: bash ${PLUGIN_SCRIPT}`
    )
  }
  execFileSync('bash', [PLUGIN_SCRIPT], { stdio: 'inherit' })
}
