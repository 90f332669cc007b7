// A Compose app with nginx in front of a busybox httpd backend, as the
// rolling tests and the downtime benchmark deploy it. The app directory is
// the server's copy (`source: none`); a new version is a new build context.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const BUSYBOX_IMAGE = 'deploykit-testbed/busybox:1'
export const DEBIAN_IMAGE = 'deploykit-testbed/debian:2'

/**
 * `upstream`: nginx resolves `backend` when it loads its config, so traffic
 * moves only when it is reloaded. `resolver`: nginx asks Docker's DNS again
 * every second, so it also follows a container that was recreated.
 */
export type ProxyMode = 'upstream' | 'resolver'

function nginxConf(mode: ProxyMode): string {
  const pass =
    mode === 'upstream'
      ? 'proxy_pass http://backend;'
      : 'resolver 127.0.0.11 valid=1s ipv6=off;\n      set $backend http://backend:8080;\n      proxy_pass $backend;'
  const upstream =
    mode === 'upstream'
      ? '  upstream backend {\n    server backend:8080 max_fails=1 fail_timeout=10s;\n  }\n'
      : ''
  return `user www-data;
worker_processes 1;
pid /run/nginx.pid;
error_log stderr warn;
events {
  worker_connections 1024;
}
http {
  access_log off;
${upstream}  server {
    listen 80;
    location / {
      ${pass}
      # A stopped container's address stops answering at all; try the next one soon.
      proxy_connect_timeout 1s;
      proxy_next_upstream error timeout http_502 http_503 http_504;
    }
  }
}
`
}

function composeText(proxyPort: number, opts: { backendPort?: number; proxy: boolean }): string {
  const backendPorts = opts.backendPort
    ? `    ports:\n      - "127.0.0.1:${opts.backendPort}:8080"\n`
    : ''
  const proxy = opts.proxy
    ? `  proxy:
    image: ${DEBIAN_IMAGE}
    command: ["nginx", "-g", "daemon off;"]
    volumes:
      - ./nginx.conf:/etc/nginx/nginx.conf:ro
    ports:
      - "127.0.0.1:${proxyPort}:80"
    depends_on:
      - backend
`
    : ''
  return `version: "2.4"
services:
  backend:
    build: ./backend
${backendPorts}    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health.txt"]
      interval: 1s
      timeout: 2s
      retries: 3
${proxy}`
}

export interface RollingApp {
  dir: string
  /** Writes the backend's next version; `healthy: false` leaves out what its healthcheck fetches. */
  setVersion(version: string, opts?: { healthy?: boolean }): void
}

export function writeRollingApp(
  dir: string,
  opts: { proxyPort: number; mode?: ProxyMode; backendPort?: number; proxy?: boolean }
): RollingApp {
  const www = join(dir, 'backend', 'www')
  mkdirSync(www, { recursive: true })
  writeFileSync(
    join(dir, 'docker-compose.yml'),
    composeText(opts.proxyPort, { backendPort: opts.backendPort, proxy: opts.proxy ?? true })
  )
  writeFileSync(join(dir, 'nginx.conf'), nginxConf(opts.mode ?? 'upstream'))
  // The trap makes httpd, not PID 1's default, handle SIGTERM: `docker stop` ends it at once.
  writeFileSync(
    join(dir, 'backend', 'Dockerfile'),
    `FROM ${BUSYBOX_IMAGE}\nCOPY www /www\nCMD ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]\n`
  )
  const setVersion = (version: string, o: { healthy?: boolean } = {}) => {
    writeFileSync(join(www, 'version.txt'), `${version}\n`)
    if (o.healthy === false) rmSync(join(www, 'health.txt'), { force: true })
    else writeFileSync(join(www, 'health.txt'), 'ok\n')
  }
  setVersion('v1')
  return { dir, setVersion }
}
