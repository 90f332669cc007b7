// Seed 002's app as its repository would hold it: a Go backend (api and
// worker from one image) and a Nuxt frontend, each with a multi-stage
// Dockerfile.prod, PostgreSQL and Redis, `/health` and `/ready` answering
// `{"status":"ok","components":{…}}`.
//
// No Go or Node base image can be pulled here, so the build stages run on the
// testbed's Debian image and the final stages on its busybox: the API is a
// small shell HTTP server (busybox `nc -ll -e`) that really probes PostgreSQL
// and Redis for /ready. The Go code is the backend's readiness logic with its
// tests, which the workflow's test job runs with the runner's real Go.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { removeImagesLabelled } from './apps.js'
import { BUSYBOX_IMAGE, DEBIAN_IMAGE } from './images.js'

export interface GoNuxtRelease {
  /** Shown by /version and the frontend's page; differs per release, so images differ. */
  version: string
  /** Port the API looks for Redis on; anything but 6379 makes /ready fail. */
  redisPort: number
  /** A Go test that fails, for a release the test job must stop. */
  failingTest?: boolean
}

export interface GoNuxtPorts {
  api: number
  frontend: number
}

export const COMPOSE_FILE = 'docker-compose.prod.yml'
export const IMAGES = {
  backend: 'go-nuxt-backend',
  frontend: 'go-nuxt-frontend'
}

// The classic builder keeps each build stage as an untagged image; the label finds them.
const STAGE_LABEL = 'deploykit-testbed.go-nuxt-stage'

/** Removes the build stages' images the builds left (the final images go with the registry's). */
export function removeBuildStages(): Promise<void> {
  return removeImagesLabelled(STAGE_LABEL)
}

const GO_MOD = 'module example.com/aio\n\ngo 1.19\n'

const READY_GO = `// Package health decides what /ready answers.
package health

// Report is the JSON body of /health and /ready.
type Report struct {
	Status     string            \`json:"status"\`
	Components map[string]string \`json:"components,omitempty"\`
}

// Ready is 200 with status ok when every dependency answers, else 503 naming the ones down.
func Ready(checks map[string]error) (int, Report) {
	r := Report{Status: "ok", Components: map[string]string{}}
	code := 200
	for name, err := range checks {
		if err != nil {
			r.Components[name] = "down"
			r.Status = "unavailable"
			code = 503
		} else {
			r.Components[name] = "ok"
		}
	}
	return code, r
}
`

function readyTest(failing: boolean): string {
  return `package health

import (
	"errors"
	"testing"
)

func TestReadyWhenAllUp(t *testing.T) {
	code, r := Ready(map[string]error{"database": nil, "redis": nil})
	if code != 200 || r.Status != "ok" {
		t.Fatalf("got %d %+v", code, r)
	}
}

func TestReadyNamesTheComponentDown(t *testing.T) {
	code, r := Ready(map[string]error{"database": nil, "redis": errors.New("refused")})
	if code != ${failing ? 200 : 503} || r.Components["redis"] != "down" {
		t.Fatalf("got %d %+v", code, r)
	}
}
`
}

// Serves one HTTP request on stdin/stdout, as `nc -ll -p 8080 -e ./handle` runs it.
const HANDLE = `#!/bin/sh
read -r method path rest
while read -r line; do
  [ -z "$(printf '%s' "$line" | tr -d '\\r')" ] && break
done
respond() {
  printf 'HTTP/1.0 %s\\r\\nContent-Type: application/json\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s' "$1" "\${#2}" "$2"
}
# PostgreSQL answers an SSLRequest with one byte, N, then waits: enough to know it is up.
database() {
  r=$(printf '\\000\\000\\000\\010\\004\\322\\026\\057' | timeout 2 nc "$DATABASE_HOST" 5432 2>/dev/null | head -c 1)
  [ "$r" = N ] && echo ok || echo down
}
redis() {
  r=$(printf 'PING\\r\\nQUIT\\r\\n' | timeout 2 nc "$REDIS_HOST" "$REDIS_PORT" 2>/dev/null | head -n 1 | tr -d '\\r')
  [ "$r" = +PONG ] && echo ok || echo down
}
case "$path" in
  /health) respond '200 OK' '{"status":"ok"}' ;;
  /ready)
    db=$(database); rd=$(redis)
    body="{\\"components\\":{\\"database\\":\\"$db\\",\\"redis\\":\\"$rd\\"},"
    if [ "$db" = ok ] && [ "$rd" = ok ]; then
      respond '200 OK' "$body\\"status\\":\\"ok\\"}"
    else
      respond '503 Service Unavailable' "$body\\"status\\":\\"unavailable\\"}"
    fi ;;
  /version) respond '200 OK' "{\\"version\\":\\"$(cat VERSION)\\"}" ;;
  *) respond '404 Not Found' '{"error":"not found"}' ;;
esac
`

const API = `#!/bin/sh
nc -ll -p 8080 -e ./handle &
trap 'kill $!; exit 0' TERM
wait
`

const WORKER = `#!/bin/sh
trap 'exit 0' TERM
echo "worker $(cat VERSION) started"
while :; do sleep 1 & wait $!; done
`

const BACKEND_DOCKERFILE = `# Build stage: what \`go build\` is in the real image (no Go base image here).
FROM ${DEBIAN_IMAGE} AS builder
LABEL ${STAGE_LABEL}=backend
WORKDIR /src
COPY server/ ./
COPY VERSION ./
RUN mkdir /out && install -m 755 api worker handle /out/ && cp VERSION /out/

FROM ${BUSYBOX_IMAGE}
WORKDIR /app
COPY --from=builder /out/ ./
EXPOSE 8080
CMD ["./api"]
`

const FRONTEND_DOCKERFILE = `# Build stage: what \`npm run build\` is in the real image, into .output.
FROM ${DEBIAN_IMAGE} AS builder
LABEL ${STAGE_LABEL}=frontend
WORKDIR /app
COPY . .
RUN sh build.sh

FROM ${BUSYBOX_IMAGE}
WORKDIR /app
COPY --from=builder /app/.output ./.output
EXPOSE 3000
CMD ["sh", "-c", "httpd -f -p 3000 -h .output/public & trap 'kill $!; exit 0' TERM; wait"]
`

const FRONTEND_BUILD = `set -e
mkdir -p .output/public
printf '<h1>AIO</h1><p>%s</p>\\n' "$(cat VERSION)" > .output/public/index.html
`

// PostgreSQL from Debian's cluster in the testbed image, no password on the compose network.
const POSTGRES_COMMAND =
  "printf '%s\\n' 'local all all peer' 'host all all samenet trust' > /etc/postgresql/15/main/pg_hba.conf && " +
  'exec /usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main ' +
  "-c config_file=/etc/postgresql/15/main/postgresql.conf -c 'listen_addresses=*' -c ssl=off"

function compose(release: GoNuxtRelease, ports: GoNuxtPorts): string {
  const health = (port: number, path: string) =>
    JSON.stringify(['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${port}${path}`])
  return `services:
  api:
    image: \${GO_NUXT_BACKEND_IMAGE:?set by the deploy}
    command: ["./api"]
    environment:
      DATABASE_HOST: postgres
      REDIS_HOST: redis
      REDIS_PORT: "${release.redisPort}"
    ports: ["127.0.0.1:${ports.api}:8080"]
    depends_on:
      postgres:
        condition: service_healthy
      redis:
        condition: service_healthy
    healthcheck:
      test: ${health(8080, '/health')}
      interval: 1s
      retries: 30
  worker:
    image: \${GO_NUXT_BACKEND_IMAGE:?set by the deploy}
    command: ["./worker"]
  frontend:
    image: \${GO_NUXT_FRONTEND_IMAGE:?set by the deploy}
    ports: ["127.0.0.1:${ports.frontend}:3000"]
    depends_on: [api]
    healthcheck:
      test: ${health(3000, '/')}
      interval: 1s
      retries: 30
  postgres:
    image: ${DEBIAN_IMAGE}
    user: postgres
    command: ${JSON.stringify(['sh', '-c', POSTGRES_COMMAND])}
    stop_signal: SIGINT
    volumes: ["postgres_data:/var/lib/postgresql/15/main"]
    healthcheck:
      test: ["CMD", "pg_isready", "-q", "-U", "postgres"]
      interval: 1s
      retries: 60
  redis:
    image: ${DEBIAN_IMAGE}
    command: ["redis-server", "--protected-mode", "no", "--save", ""]
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 1s
      retries: 60
volumes:
  postgres_data:
`
}

/** Writes (or rewrites) the repository's files for one release. */
export function writeGoNuxtApp(dir: string, release: GoNuxtRelease, ports: GoNuxtPorts): void {
  const files: Record<string, string> = {
    [COMPOSE_FILE]: compose(release, ports),
    'backend/go.mod': GO_MOD,
    'backend/internal/health/ready.go': READY_GO,
    'backend/internal/health/ready_test.go': readyTest(release.failingTest ?? false),
    'backend/VERSION': `${release.version}\n`,
    'backend/server/handle': HANDLE,
    'backend/server/api': API,
    'backend/server/worker': WORKER,
    'backend/Dockerfile.prod': BACKEND_DOCKERFILE,
    'frontend/VERSION': `${release.version}\n`,
    'frontend/build.sh': FRONTEND_BUILD,
    'frontend/Dockerfile.prod': FRONTEND_DOCKERFILE
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text, {
      mode: path.startsWith('backend/server/') ? 0o755 : 0o644
    })
  }
}
