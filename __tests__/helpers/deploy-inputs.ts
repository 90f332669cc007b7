import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKey } from '../../testbed/keys.js'

const dir = mkdtempSync(join(tmpdir(), 'deploykit-deploy-inputs-'))
const { privateKey, publicKey } = generateKey(dir, 'id')
rmSync(dir, { recursive: true, force: true })

/** The inputs every deploy needs, with a real key and its host key line: settings read, no server. */
export const DEPLOY_INPUTS = {
  host: 'deploy@web1',
  key: privateKey,
  'known-hosts': `web1 ${publicKey.split(' ').slice(0, 2).join(' ')}`,
  'app-dir': '/srv/app',
  ref: 'f'.repeat(40)
}
