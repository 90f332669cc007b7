// What reaches the runner when a server's output is logged, read by the
// stand-in for GitHub's runner (testbed/secret-masker.ts, built on
// actions/runner's ActionCommandManager and ActionCommand parsing).
import { describe, expect, it } from '@jest/globals'
import * as core from '@actions/core'
import { HostContext } from '../../../src/core/fleet.js'
import { captureOutput } from '../../helpers/capture-output.js'
import {
  HOSTILE_LABEL,
  HOSTILE_LINES,
  hostileScript,
  serverCommandsActedOn
} from '../../helpers/hostile-output.js'
import { LocalShell } from '../../helpers/local-shell.js'
import { readStepOutput, SecretMasker } from '../../../testbed/secret-masker.js'

async function runnerReads(fn: () => Promise<void>) {
  const { output, error } = await captureOutput(fn)
  if (error) throw error
  const masker = new SecretMasker()
  return { output, masker, reading: readStepOutput(output, masker) }
}

/** A host's work as deploy-kit does it: its own commands around the server's output. */
async function deployLike(host: HostContext, secret: string): Promise<void> {
  core.setSecret(`${secret}-before`)
  await host.run({ argv: ['sh', '-c', hostileScript()] })
  host.info(`Containers: ${HOSTILE_LABEL}: running (healthy)`)
  core.warning(`${host.label}: own warning`)
  core.setSecret(`${secret}-after`)
}

describe.each([
  ['one host', ''],
  ['several hosts', '[web1] ']
])('server output on %s', (_name, prefix) => {
  it('is shown as it is and acted on in no part, while deploy-kit commands still work', async () => {
    const host = new HostContext(new LocalShell('web1'), prefix)
    const { masker, reading } = await runnerReads(() => deployLike(host, 'own-Secret'))
    expect(serverCommandsActedOn(reading)).toEqual([])
    expect(reading.unmodelled).toEqual([])
    expect(reading.openFence).toBeUndefined()
    expect(masker.registered).toEqual(
      expect.arrayContaining(['own-Secret-before', 'own-Secret-after'])
    )
    expect(masker.registered).not.toContain('Deploy')
    expect(reading.commands.filter(c => c.command === 'warning').map(c => c.data)).toEqual([
      'web1: own warning'
    ])
    const shown = reading.log.split('\n')
    for (const line of HOSTILE_LINES)
      expect(shown.filter(l => l === prefix + line).length).toBeGreaterThanOrEqual(2)
    expect(shown).toContain(`${prefix}::warning::x: running (healthy)`)
    expect(shown).toContain(`${prefix}::warning::after a CR`)
  })
})

describe('streamed output', () => {
  it('keeps a command cut across chunks, and a CRLF cut in two, one line each', async () => {
    const host = new HostContext(new LocalShell('web1'), '')
    const { reading } = await runnerReads(async () => {
      await host.run({
        argv: [
          'sh',
          '-c',
          "printf '::add-'; sleep 0.2; printf 'mask::Deploy\\r'; sleep 0.2; printf '\\nnext\\n'"
        ]
      })
      core.setSecret('after-the-stream')
    })
    expect(serverCommandsActedOn(reading)).toEqual([])
    expect(reading.commands.filter(c => c.command === 'add-mask').map(c => c.data)).toEqual([
      'after-the-stream'
    ])
    expect(reading.log).toMatch(/^::add-mask::Deploy\nnext\n/m)
  })

  it('never leaves a fence open while hosts run in parallel', async () => {
    const hosts = ['web1', 'web2', 'web3'].map(h => new HostContext(new LocalShell(h), `[${h}] `))
    const { reading } = await runnerReads(async () => {
      await Promise.all(hosts.map(h => deployLike(h, h.label)))
    })
    expect(serverCommandsActedOn(reading)).toEqual([])
    expect(reading.openFence).toBeUndefined()
    expect(
      reading.commands
        .filter(c => c.command === 'warning')
        .map(c => c.data)
        .sort()
    ).toEqual(['web1: own warning', 'web2: own warning', 'web3: own warning'])
    expect(reading.commands.filter(c => c.command === 'add-mask')).toHaveLength(6)
  })
})

describe('the fence', () => {
  it('costs nothing around ordinary output', async () => {
    const host = new HostContext(new LocalShell('web1'), '[web1] ')
    const { output } = await runnerReads(async () => {
      host.info('Compose: docker compose')
      await host.run({ argv: ['echo', 'Container app-web-1  Started'] })
      await host.run({ argv: ['printf', 'x\\nno newline at the end'] })
    })
    expect(output.split('\n')).toEqual([
      '[web1] Compose: docker compose',
      "[web1] $ echo 'Container app-web-1  Started'",
      '[web1] Container app-web-1  Started',
      "[web1] $ printf 'x\\nno newline at the end'",
      '[web1] x',
      '[web1] no newline at the end',
      ''
    ])
  })

  it('uses one random token that no text can end it with', async () => {
    const host = new HostContext(new LocalShell('web1'), '')
    const { output } = await runnerReads(async () => host.info('::add-mask::a'))
    const token = /^::stop-commands::([0-9a-f]{32})$/m.exec(output)?.[1]
    expect(token).toBeDefined()
    const { reading } = await runnerReads(async () =>
      host.info(`::${token}::\n##[${token!.toUpperCase()}]\n::add-mask::Deploy`)
    )
    expect(serverCommandsActedOn(reading)).toEqual([])
    expect(reading.commands.map(c => c.data)).toEqual([token, ''])
  })
})

describe('annotations quoting server text', () => {
  it('are escaped by @actions/core, title and message, so each stays one command', async () => {
    const { reading } = await runnerReads(async () => {
      core.error(`exited with code 1: 100% done\r\n${HOSTILE_LINES.join('\n')}`, {
        title: 'x::y,file=/etc/passwd\n::add-mask::Deploy'
      })
    })
    expect(reading.commands).toEqual([
      expect.objectContaining({
        command: 'error',
        properties: { title: 'x::y,file=/etc/passwd\n::add-mask::Deploy' },
        data: `exited with code 1: 100% done\r\n${HOSTILE_LINES.join('\n')}`
      })
    ])
  })
})
