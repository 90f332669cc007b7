// Figure 4: from starting `node dist/ssh-deploy/index.js` to its first SSH
// packet at a TCP listener, against bare Node 24 sending one at once; and the
// size of each bundle.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { generateKey } from '../../testbed/keys.js'
import { node24 } from '../../testbed/node24.js'
import { median, progress } from './context.js'

export interface ColdStart {
  bundleMs: number
  bareNodeMs: number
  runs: number
  /** Bytes of each dist/<action>/index.js. */
  bundles: Record<string, number>
}

/** A listener that resolves with the time its first byte arrives, then drops the connection. */
function firstPacket(server: Server): Promise<number> {
  return new Promise(done => {
    server.once('connection', socket => {
      socket.once('data', () => {
        done(performance.now())
        socket.destroy()
      })
      socket.on('error', () => {})
    })
  })
}

async function timeToFirstPacket(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const server = createServer()
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const arrived = firstPacket(server)
  const started = performance.now()
  const child = spawn(
    node24(),
    args.map(a => a.replace('PORT', String(port))),
    {
      env: { ...env, INPUT_HOST: `root@127.0.0.1:${port}` },
      stdio: 'ignore'
    }
  )
  const exited = new Promise(r => child.on('close', r))
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const at = await Promise.race([arrived, exited.then(() => NaN)])
  await exited
  clearTimeout(timer)
  server.close()
  if (Number.isNaN(at)) throw new Error(`${args.join(' ')} exited before sending anything`)
  return at - started
}

export async function measureColdStart(runs: number): Promise<ColdStart> {
  const dir = mkdtempSync(join(tmpdir(), 'deploykit-cold-'))
  writeFileSync(join(dir, 'output'), '')
  writeFileSync(join(dir, 'summary'), '')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_SHA: '0'.repeat(40),
    // A real key: it is parsed before the connection opens.
    INPUT_KEY: generateKey(dir, 'id').privateKey,
    INPUT_FINGERPRINT: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
    'INPUT_APP-DIR': '/srv/app',
    INPUT_SOURCE: 'none',
    'INPUT_CONNECT-RETRIES': '0'
  }
  const bundle = [resolve('dist/ssh-deploy/index.js')]
  const bare = [
    '-e',
    "require('net').connect(PORT, '127.0.0.1', function () { this.write('SSH-2.0-x\\r\\n') })"
  ]
  const bundleMs: number[] = []
  const bareMs: number[] = []
  try {
    for (let i = 0; i <= runs; i++) {
      progress(`cold start: round ${i === 0 ? 'warm-up' : `${i} of ${runs}`}`)
      const a = await timeToFirstPacket(bundle, env)
      const b = await timeToFirstPacket(bare, env)
      if (i > 0) {
        bundleMs.push(a)
        bareMs.push(b)
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const bundles: Record<string, number> = {}
  for (const name of readdirSync('dist').sort()) {
    const file = join('dist', name, 'index.js')
    try {
      bundles[name] = statSync(file).size
    } catch {
      // not an action folder
    }
  }
  return { bundleMs: median(bundleMs), bareNodeMs: median(bareMs), runs, bundles }
}
