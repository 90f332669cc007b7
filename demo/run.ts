// npm run demo: brings up the testbed (sshd on loopback, the Docker engine,
// the cached base image), deploys a small app with the root action twice —
// a good release, then one that never gets healthy and is rolled back — and
// prints each run's job summary as text. Cleans up what it started.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction } from '../testbed/action-runner.js'
import { createAppRepo, httpText, removeComposeProject } from '../testbed/apps.js'
import { ensureDocker, stopDocker } from '../testbed/docker.js'
import { ensureBaseImages } from '../testbed/images.js'
import { freePort } from '../testbed/ports.js'
import { ensurePrerequisites } from '../testbed/prerequisites.js'
import { startSshHosts } from '../testbed/ssh-hosts.js'
import { summaryText } from './summary-text.js'

const say = (line = '') => process.stdout.write(`${line}\n`)

async function main(): Promise<void> {
  say(
    'deploy-kit demo: setting up the testbed (the first run builds a base image, about a minute)…'
  )
  ensurePrerequisites()
  const docker = await ensureDocker()
  await ensureBaseImages()
  const hosts = await startSshHosts(1)
  const app = await createAppRepo({ branch: 'main', composeFile: 'docker-compose.prod.yml' })
  const server = mkdtempSync(join(tmpdir(), 'deploykit-demo-'))
  const project = `dkdemo${process.pid}`
  const port = await freePort()
  const url = `http://127.0.0.1:${port}/version.txt`
  try {
    const inputs = {
      host: hosts.hostInput(1),
      key: hosts.key.privateKey,
      'known-hosts': hosts.knownHosts(),
      'app-dir': join(server, 'app'),
      repository: app.bare,
      'compose-files': 'docker-compose.prod.yml',
      'env-file': '.env',
      vars: `APP_PORT=${port}`,
      'project-name': project,
      build: 'true',
      'wait-timeout': '15',
      'smoke-urls': url,
      'smoke-wait-timeout': '10'
    }
    for (const [title, sha] of [
      ['Release 1: a good release', await app.release('v1')],
      ['Release 2: its healthcheck never passes', await app.release('v2', { healthy: false })]
    ]) {
      say(`\n=== ${title} (${sha.slice(0, 7)}) ===`)
      const run = await runAction('deploy', inputs, {
        env: { GITHUB_SHA: sha, GITHUB_REPOSITORY: 'example/app' }
      })
      say(summaryText(run.summary))
      say(
        `step result: ${run.code === 0 ? 'success' : 'failure'}; rolled-back=${run.outputs['rolled-back']}`
      )
      const error = run.output
        .split('\n')
        .filter(l => l.startsWith('::error::'))
        .pop()
      if (error) say(`error: ${error.replace('::error::', '')}`)
      say(`${url} now serves: ${(await httpText(url, 10)).trim() || '(nothing)'}`)
    }
  } finally {
    await removeComposeProject(project)
    await app.cleanup()
    rmSync(server, { recursive: true, force: true })
    await hosts.stop()
    if (docker.startedPid) await stopDocker(docker.startedPid)
  }
}

await main()
