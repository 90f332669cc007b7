import { dockerCommands } from '../../../src/commands/docker.js'
import { commandTable, Q, SUB, NL, DASH, SHA } from '../../helpers/command-text.js'

commandTable('docker', [
  [
    'inspect, after the server clock, ids after --',
    dockerCommands.inspect([DASH, SUB]),
    `sh -c 'date -u +%s && exec docker inspect -- "$@"' sh -rf '$(touch /tmp/pwned)'`
  ],
  [
    'containers of a service, stopped ones too',
    dockerCommands.serviceContainers(Q, DASH, true),
    "docker ps --all --quiet --no-trunc --filter 'label=com.docker.compose.project=it'\\''s' --filter label=com.docker.compose.service=-rf --filter label=com.docker.compose.oneoff=False"
  ],
  [
    'running containers of a service',
    dockerCommands.serviceContainers('app', 'backend', false),
    'docker ps --quiet --no-trunc --filter label=com.docker.compose.project=app --filter label=com.docker.compose.service=backend --filter label=com.docker.compose.oneoff=False'
  ],
  [
    'every container of a project, stopped ones too',
    dockerCommands.projectContainers(Q),
    "docker ps --all --quiet --no-trunc --filter 'label=com.docker.compose.project=it'\\''s' --filter label=com.docker.compose.oneoff=False"
  ],
  ['last 5 log lines', dockerCommands.logs(DASH, 5), 'docker logs --tail 5 -rf'],
  ['last 50 log lines', dockerCommands.logs(SUB), "docker logs --tail 50 '$(touch /tmp/pwned)'"],
  [
    'stop with the grace period in whole seconds',
    dockerCommands.stop('abc', 2500),
    'docker stop -t 3 abc'
  ],
  ['stop at once', dockerCommands.stop(DASH, 0), 'docker stop -t 0 -rf'],
  ['remove', dockerCommands.remove(Q), "docker rm --force 'it'\\''s'"],
  [
    'tag',
    dockerCommands.tag(DASH, `deploykit-releases/${Q}:web-${SUB}`),
    "docker tag -rf 'deploykit-releases/it'\\''s:web-$(touch /tmp/pwned)'"
  ],
  [
    'image id',
    dockerCommands.imageId(`${NL}@sha256:${SHA}`),
    "docker image inspect --format '{{.Id}}' 'a\nb@sha256:a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'"
  ],
  [
    'tags of a repository',
    dockerCommands.imageTags(`deploykit-releases/${DASH}`),
    "docker image ls --format '{{.Tag}}' deploykit-releases/-rf"
  ],
  [
    'remove an image',
    dockerCommands.removeImage(`x:${SUB}`),
    "docker image rm 'x:$(touch /tmp/pwned)'"
  ]
])
