// `up` after one that was cut off mid-recreate: the engine refuses a name still in use, once.
// The stderr is what Docker's engine answered in the host-faults test (sshd killed during up).
import { describe, expect, it } from '@jest/globals'
import { mapInputs } from '../../../src/core/inputs.js'
import { readDeploySettings, runContext } from '../../../src/ssh-deploy/settings.js'
import {
  updateServices,
  upOnceMoreOnNameConflict
} from '../../../src/ssh-deploy/update-services.js'
import { answeringHost } from '../../helpers/answering-host.js'
import { captureOutput } from '../../helpers/capture-output.js'

const CONFLICT =
  'Error response from daemon: Error when allocating new name: Conflict. The container name "/shop-backend-1" is already in use by container "dae2b1e82a3ed9b9f4aca58223439ec0ac830d5f188ed3814fd349287c406aeb". You have to remove (or rename) that container to be able to reuse that name.\n'
const UP = { argv: ['docker', 'compose', '--project-name', 'shop', 'up', '-d'] }

describe('up once more on a name conflict', () => {
  it('runs up again once the engine refused a name in use, and says why', async () => {
    const { host, sent } = answeringHost({ code: 1, stderr: CONFLICT }, { code: 0 })
    const out = await captureOutput(() => upOnceMoreOnNameConflict(host, UP))
    expect(sent).toEqual([UP.argv, UP.argv])
    expect(out.error).toBeUndefined()
    expect(out.output).toContain('Compose found a container name still in use')
  })

  it('fails on a second conflict, and at once on any other failure', async () => {
    const twice = answeringHost({ code: 1, stderr: CONFLICT }, { code: 1, stderr: CONFLICT })
    const second = await captureOutput(() => upOnceMoreOnNameConflict(twice.host, UP))
    expect(String(second.error)).toContain('exited with code 1')
    expect(twice.sent).toHaveLength(2)
    const other = answeringHost({ code: 1, stderr: 'no space left on device\n' })
    const full = await captureOutput(() => upOnceMoreOnNameConflict(other.host, UP))
    expect(String(full.error)).toContain('no space left on device')
    expect(other.sent).toHaveLength(1)
  })

  it("runs a one-by-one service's up once more too", async () => {
    const s = readDeploySettings(
      mapInputs({
        host: 'deploy@web1',
        key: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
        'insecure-skip-host-key-check': 'true',
        'app-dir': '/srv/app',
        strategy: 'one-by-one',
        services: 'backend',
        wait: 'false',
        pull: 'false'
      }),
      runContext({ GITHUB_SHA: 'f'.repeat(40) })
    )
    const project = {
      binary: ['docker', 'compose'],
      dir: '/srv/app',
      files: ['docker-compose.yml'],
      projectName: 'shop'
    }
    const { host, sent } = answeringHost({}, { code: 1, stderr: CONFLICT }, {})
    const out = await captureOutput(() => updateServices(host, project, s, true))
    expect(out.error).toBeUndefined()
    const ups = sent.filter(argv => argv.includes('up'))
    expect(ups).toHaveLength(3)
    expect(ups[2]).toEqual(ups[1])
    expect(ups[1]).toContain('backend')
    expect(out.output).toContain('Compose found a container name still in use')
  })
})
